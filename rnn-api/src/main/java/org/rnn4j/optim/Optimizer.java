package org.rnn4j.optim;

import java.util.List;
import java.util.Map;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Tensor;

/**
 * Updates a fixed list of parameters from their accumulated gradients, with PyTorch 1.13's exact
 * update rules. Typical loop:
 * <pre>{@code
 * Optimizer opt = Adam.builder(model.parameters().values()).lr(1e-3).build();
 * for (...) {
 *     opt.zeroGrad();
 *     Var loss = Losses.crossEntropy(model.forward(x), target);
 *     loss.backward();
 *     GradClip.clipGradNorm(opt.parameters(), 1.0, 2.0);
 *     opt.step();
 * }
 * }</pre>
 *
 * <p>State (momentum buffers, moment estimates, step counts) is kept per parameter, created on the
 * first step that parameter takes part in, and exposed through {@link #state()} under stable names
 * so that a checkpoint can save and restore it exactly.
 */
public interface Optimizer {

    /**
     * Performs one update: for every parameter whose {@link Var#grad()} is non-null, replaces its value
     * ({@link Var#set}) and updates its state; parameters without a gradient are skipped and keep
     * their state, as in PyTorch. Runs with graph recording disabled. Every gradient's shape, dtype
     * and backend is checked against its parameter before any parameter is changed.
     */
    void step();

    /** Clears the gradient of every parameter ({@link Var#zeroGrad()}: set to none, as PyTorch 2's default). */
    void zeroGrad();

    /** The parameters, in the order given at construction (their index is the {@code p{index}} of {@link #state()}); unmodifiable. */
    List<Var> parameters();

    /**
     * A snapshot of the optimizer's state: per parameter index {@code i}, the buffers it keeps, named
     * {@code p{i}.momentum_buffer}, {@code p{i}.exp_avg}, {@code p{i}.exp_avg_sq},
     * {@code p{i}.max_exp_avg_sq}, {@code p{i}.square_avg}, {@code p{i}.grad_avg}, {@code p{i}.sum}
     * (each of its parameter's shape and dtype), and the number of steps taken as a rank-0 tensor
     * {@code p{i}.step} (FLOAT64 where the backend supports it). Parameters that have no state yet have
     * no entries. The map is a new, modifiable map; the tensors are the optimizer's own (tensors are
     * immutable values, so this is safe as long as they are not closed).
     */
    Map<String, Tensor> state();

    /**
     * Replaces the whole state by {@code state} (as produced by {@link #state()}, possibly from another
     * backend or dtype: tensors are moved and cast to each parameter's). Parameters with no entries
     * start afresh. Every name, index, shape and step value is validated, and a parameter's entries
     * must be complete, before anything changes; on error an {@link IllegalArgumentException} names
     * the offending entry and what was expected.
     */
    void loadState(Map<String, Tensor> state);

    /**
     * The current learning rate.
     *
     * @throws UnsupportedOperationException for an optimizer without one
     */
    default double lr() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no learning rate");
    }

    /**
     * Sets the learning rate used by the following steps (for schedules); must be {@code >= 0}.
     *
     * @throws UnsupportedOperationException for an optimizer without one
     */
    default void setLr(double lr) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no learning rate");
    }

    /**
     * Whether this optimizer has a momentum coefficient that a schedule may drive through
     * {@link #momentum()} and {@link #setMomentum(double)}: SGD's and RMSprop's {@code momentum}, and
     * Adam's and AdamW's {@code beta1} (the coefficient PyTorch's {@code OneCycleLR} cycles).
     */
    default boolean hasMomentum() {
        return false;
    }

    /**
     * The current momentum coefficient (SGD and RMSprop: {@code momentum}; Adam and AdamW: {@code beta1}).
     *
     * @throws UnsupportedOperationException when {@link #hasMomentum()} is false
     */
    default double momentum() {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum coefficient");
    }

    /**
     * Sets the momentum coefficient used by the following steps (for schedules such as one-cycle); the
     * value is validated as the builder validates it. Only this coefficient changes: state is kept.
     *
     * @throws UnsupportedOperationException when {@link #hasMomentum()} is false
     * @throws IllegalArgumentException for a value the optimizer cannot use, before anything changes
     */
    default void setMomentum(double momentum) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum coefficient");
    }
}
