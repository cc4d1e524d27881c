package org.rnn4j.train;

import java.util.Map;

/**
 * An extension of {@link Fit}'s loop with named hooks, in the spirit of Keras callbacks and DL4J's
 * training listeners. Every hook has an empty default; a callback implements those it needs. Hooks run
 * on the training thread, in the order the callbacks were added, and may ask the loop to stop
 * ({@link Fit.Context#requestStop(String)}), which it does at the next step boundary.
 */
public interface Callback {

    /** Before the first step (after a resume has restored the state). */
    default void onFitStart(Fit.Context ctx) {
    }

    /** Before the first step of epoch {@code epoch} (0-based). */
    default void onEpochStart(Fit.Context ctx, long epoch) {
    }

    /**
     * After each optimizer step.
     *
     * @param loss     the step's training loss (the mean over its micro-batches)
     * @param examples the number of examples the step consumed (as the loop's size function counts them)
     */
    default void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
    }

    /**
     * After each epoch's validation, with that epoch's figures ({@code loss}, {@code val_loss}, the
     * validation metrics, {@code lr}, ...), which callbacks may read and add to.
     */
    default void onEpochEnd(Fit.Context ctx, long epoch, Map<String, Double> logs) {
    }

    /** Once, when the loop ends for any reason (its result says which). */
    default void onFitEnd(Fit.Context ctx, Fit.Result result) {
    }
}
