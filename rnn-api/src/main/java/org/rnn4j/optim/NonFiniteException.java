package org.rnn4j.optim;

/**
 * Thrown when a gradient (or a norm computed from gradients) is NaN or infinite, as PyTorch's
 * {@code clip_grad_norm_(..., error_if_nonfinite=True)}. A training loop can catch it to skip the
 * step (gradients are left unchanged when it is thrown) or lower the learning rate.
 */
public class NonFiniteException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int parameterIndex;

    /**
     * @param message what was found and where
     * @param parameterIndex index (in the collection given) of the first parameter whose gradient holds
     *     a NaN or infinite value, or -1 when every gradient is finite but a norm overflowed
     */
    public NonFiniteException(String message, int parameterIndex) {
        super(message);
        this.parameterIndex = parameterIndex;
    }

    /** Index of the first parameter whose gradient is not finite, or -1 when none is (an overflowing norm). */
    public int parameterIndex() {
        return parameterIndex;
    }
}
