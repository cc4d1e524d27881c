package org.rnn4j.spark;

import java.io.Serializable;
import org.rnn4j.nn.Module;

/**
 * Builds the model: once on the driver (the master copy that the optimizer updates and checkpoints
 * save) and once per task slot on each executor (the replicas, whose weights are replaced by the
 * driver's before every step, so the initial weights a factory gives replicas do not matter). It is
 * serialized to the executors: a lambda that captures only serializable values (numbers, strings).
 *
 * @param <M> the model's type
 */
@FunctionalInterface
public interface ModelFactory<M extends Module> extends Serializable {
    /** A new model; every call must build the same architecture (names, shapes and dtype of the parameters). */
    M create();
}
