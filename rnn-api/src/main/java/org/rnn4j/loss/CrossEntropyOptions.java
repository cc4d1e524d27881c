package org.rnn4j.loss;

import org.rnn4j.tensor.Tensor;

/**
 * Settings of {@link Losses#crossEntropy(org.rnn4j.autograd.Var, int[], CrossEntropyOptions)}, with
 * PyTorch's defaults ({@link #defaults()}). Instances are immutable; the {@code with...} methods return
 * modified copies.
 *
 * @param weight per-class weights of shape {@code [C]} with the logits' dtype and backend, or null for
 *     all ones; not modified
 * @param ignoreIndex a target value that marks a row as ignored (a padded sequence position): it adds
 *     nothing to the loss, its gradient or the mean's divisor; PyTorch's default is {@code -100}
 * @param labelSmoothing epsilon in {@code [0, 1]}: the target distribution becomes
 *     {@code (1 - eps) * one_hot + eps / C}; 0 disables smoothing
 * @param reduction how rows are combined; never null
 */
public record CrossEntropyOptions(Tensor weight, int ignoreIndex, double labelSmoothing, Reduction reduction) {

    /** PyTorch's default ignore index. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    /** Validates {@code labelSmoothing} and {@code reduction}; the weight is checked against the logits when used. */
    public CrossEntropyOptions {
        if (!(labelSmoothing >= 0.0 && labelSmoothing <= 1.0)) {
            throw new IllegalArgumentException("CrossEntropyOptions: labelSmoothing = " + labelSmoothing
                    + ", expected a value in [0, 1]");
        }
        if (reduction == null) {
            throw new IllegalArgumentException("CrossEntropyOptions: reduction is null; expected MEAN, SUM or NONE");
        }
    }

    /** No weight, ignore index {@code -100}, no smoothing, {@link Reduction#MEAN}: PyTorch's defaults. */
    public static CrossEntropyOptions defaults() {
        return new CrossEntropyOptions(null, DEFAULT_IGNORE_INDEX, 0.0, Reduction.MEAN);
    }

    /** A copy with per-class weights {@code [C]} (null for none). */
    public CrossEntropyOptions withWeight(Tensor weight) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** A copy whose ignored rows are those with target {@code ignoreIndex}. */
    public CrossEntropyOptions withIgnoreIndex(int ignoreIndex) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** A copy with label smoothing {@code labelSmoothing} in {@code [0, 1]}. */
    public CrossEntropyOptions withLabelSmoothing(double labelSmoothing) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** A copy with another reduction. */
    public CrossEntropyOptions withReduction(Reduction reduction) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }
}
