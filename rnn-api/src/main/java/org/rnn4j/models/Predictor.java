package org.rnn4j.models;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import org.rnn4j.autograd.Grad;
import org.rnn4j.nn.Module;

/**
 * Batched inference with a model, safe to share between threads: each call puts the model in
 * evaluation mode, splits the inputs into batches of at most {@link #batchSize()}, runs
 * {@code batchFunction} on each under {@link Grad#disabled()} (no graph is recorded) and returns the
 * outputs in input order. Calls are serialised on the model (modules are not thread-safe: recurrent
 * layers may carry state); run one {@code Predictor} per model copy for parallel throughput.
 *
 * @param <M> the model's type
 * @param <I> one input (a name, a sentence, a feature matrix)
 * @param <O> one output (a class and its probabilities, a translation)
 */
public final class Predictor<M extends Module, I, O> {
    private final M model;
    private final int batchSize;
    private final BiFunction<M, List<I>, List<O>> batchFunction;
    private final ReentrantLock lock = new ReentrantLock();

    /**
     * @param model         the model; switched to evaluation mode by every call
     * @param batchSize     most inputs per call of {@code batchFunction}, at least 1
     * @param batchFunction maps a batch of inputs to exactly as many outputs, in order; must not keep
     *                      the list it is given
     * @throws IllegalArgumentException on a null argument or a batch size below 1
     */
    public Predictor(M model, int batchSize, BiFunction<M, List<I>, List<O>> batchFunction) {
        if (model == null || batchFunction == null) {
            throw new IllegalArgumentException("Predictor: model and batchFunction are required");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("Predictor: batchSize = " + batchSize + ", expected >= 1");
        }
        this.model = model;
        this.batchSize = batchSize;
        this.batchFunction = batchFunction;
    }

    /** The model this predictor runs. */
    public M model() {
        return model;
    }

    /** Most inputs per batch. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * The outputs for {@code inputs}, in order (an empty list for no inputs).
     *
     * @throws IllegalStateException when the batch function returns a wrong number of outputs
     */
    public List<O> predict(List<I> inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException("Predictor.predict: inputs is null");
        }
        List<O> out = new ArrayList<>(inputs.size());
        lock.lock();
        try (Grad.Scope off = Grad.disabled()) {
            model.eval();
            for (int from = 0; from < inputs.size(); from += batchSize) {
                List<I> batch = List.copyOf(inputs.subList(from, Math.min(inputs.size(), from + batchSize)));
                List<O> got = batchFunction.apply(model, batch);
                if (got == null || got.size() != batch.size()) {
                    throw new IllegalStateException("Predictor: the batch function returned " + (got == null ? "null" : got.size() + " outputs")
                            + " for " + batch.size() + " inputs");
                }
                out.addAll(got);
            }
        } finally {
            lock.unlock();
        }
        return out;
    }

    /** The output for one input. */
    public O predict(I input) {
        return predict(List.of(input)).get(0);
    }
}
