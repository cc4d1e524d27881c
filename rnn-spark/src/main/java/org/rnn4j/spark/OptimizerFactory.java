package org.rnn4j.spark;

import java.io.Serializable;
import java.util.Collection;
import org.rnn4j.autograd.Var;
import org.rnn4j.optim.Optimizer;

/**
 * Builds the optimizer over a model's trainable parameters: on the driver, and, in the modes where
 * the executors update their replicas themselves (barrier, parameter averaging), on each executor.
 * Serialized to the executors, e.g. {@code params -> Adam.builder(params).lr(1e-3).build()}.
 */
@FunctionalInterface
public interface OptimizerFactory extends Serializable {
    /** A new optimizer over {@code params}, in their order. */
    Optimizer create(Collection<Var> params);
}
