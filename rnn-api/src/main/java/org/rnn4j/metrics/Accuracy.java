package org.rnn4j.metrics;

import java.util.OptionalInt;
import org.rnn4j.tensor.Tensor;

/**
 * The fraction of predictions equal to their target class, accumulated over batches. Targets equal to an
 * optional ignore index (a padded position) are skipped, as the losses' {@code ignoreIndex}.
 */
public final class Accuracy implements Metric {
    private final OptionalInt ignoreIndex;
    private long correct;
    private long count;

    /** Counts every prediction. */
    public Accuracy() {
        this.ignoreIndex = OptionalInt.empty();
    }

    private Accuracy(int ignoreIndex) {
        this.ignoreIndex = OptionalInt.of(ignoreIndex);
    }

    /** Skips predictions whose target is {@code ignoreIndex} (e.g. -100 for padding). */
    public static Accuracy ignoring(int ignoreIndex) {
        return new Accuracy(ignoreIndex);
    }

    private boolean ignored(int t) {
        return ignoreIndex.isPresent() && t == ignoreIndex.getAsInt();
    }

    /**
     * Adds predicted classes.
     *
     * @param predicted N predicted class indices (any int: a prediction outside the classes is simply wrong)
     * @param target N target class indices (or the ignore index); not modified
     */
    public void update(int[] predicted, int[] target) {
        if (predicted == null) {
            throw new IllegalArgumentException("Accuracy.update: predicted is null");
        }
        Scores.checkTarget("Accuracy.update", target, predicted.length);
        for (int i = 0; i < predicted.length; i++) {
            if (!ignored(target[i])) {
                count++;
                correct += predicted[i] == target[i] ? 1 : 0;
            }
        }
    }

    /**
     * Adds predictions given as class scores (logits, probabilities or log-probabilities): the predicted
     * class of a row is its largest score, the first one on ties.
     *
     * @param scores {@code [N, C]}, no NaN; copied to the host, not modified
     * @param target N class indices in {@code [0, C)} (or the ignore index)
     */
    public void update(Tensor scores, int[] target) {
        double[] a = Scores.rows("Accuracy.update", scores, target);
        int c = scores.shape()[1];
        for (int i = 0; i < target.length; i++) {
            Scores.checkClass("Accuracy.update", target, i, c, ignored(target[i]));
        }
        int[] predicted = new int[target.length];
        for (int i = 0; i < predicted.length; i++) {
            predicted[i] = Scores.argmax(a, i, c);
        }
        update(predicted, target);
    }

    /** Correct predictions so far. */
    public long correct() {
        return correct;
    }

    /** Predictions counted so far (ignored ones excluded). */
    public long count() {
        return count;
    }

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public double compute() {
        if (count == 0) {
            throw new IllegalStateException("Accuracy: no predictions accumulated (every target ignored, or no update yet)");
        }
        return (double) correct / count;
    }

    @Override
    public void reset() {
        correct = 0;
        count = 0;
    }
}
