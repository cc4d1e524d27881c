package org.rnn4j.spark;

import java.io.Serializable;
import java.util.List;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Module;

/**
 * The training loss, as a single-JVM run computes it: the mean loss of a batch of examples. On the
 * executors it runs on each partition's share of the global batch; each share's gradient is weighted
 * by {@link #weight(List)} and the driver divides the sum by the total weight, so the summed gradient
 * equals the gradient of the mean over the whole global batch (to floating-point round-off).
 * Serialized to the executors.
 *
 * @param <M> the model's type
 * @param <T> one example
 */
@FunctionalInterface
public interface ReplicaLoss<M extends Module, T> extends Serializable {
    /**
     * The mean loss of {@code examples} (at least one) under {@code model}, a scalar {@code Var} with a graph.
     *
     * @param ctx the step and partition, and a random stream seeded by them (for masks the loss draws itself)
     */
    Var loss(M model, List<T> examples, StepContext ctx);

    /**
     * What the mean of {@link #loss} runs over: the number of examples by default; a loss that averages
     * over tokens returns the number of tokens, so that shares of different sizes combine exactly.
     */
    default double weight(List<T> examples) {
        return examples.size();
    }
}
