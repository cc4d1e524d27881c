package org.rnn4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Module;
import org.rnn4j.optim.GradClip;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.optim.Optimizer;

/**
 * One training step done right: clear gradients, compute the loss, refuse a NaN or infinite loss or
 * gradient (naming the step and the parameter) before anything is updated, backpropagate, optionally
 * clip by global norm, and let the optimizer update the parameters.
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final List<String> names;
    private final List<Var> params;
    private double clipNorm = Double.NaN;
    private long steps;

    /** A trainer for {@code model}'s parameters, updated by {@code optimizer} (built over the same parameters). */
    public Trainer(Module model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
        this.names = new ArrayList<>(model.parameters().keySet());
        this.params = new ArrayList<>(model.parameters().values());
    }

    /** Clips the global L2 norm of the gradients to {@code maxNorm} before each update; NaN disables. */
    public Trainer clipNorm(double maxNorm) {
        if (!(Double.isNaN(maxNorm) || maxNorm > 0)) {
            throw new IllegalArgumentException("clipNorm: maxNorm = " + maxNorm + ", expected > 0 (or NaN to disable)");
        }
        this.clipNorm = maxNorm;
        return this;
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /**
     * Runs one step and returns the loss value. Modifies the parameters (through the optimizer), their
     * gradients and the optimizer's state; on a non-finite loss or gradient it throws
     * {@link NonFiniteException} and leaves parameters and optimizer state unchanged.
     *
     * @param loss computes the scalar loss from the current parameters
     */
    public double step(Supplier<Var> loss) {
        model.zeroGrad();
        Var l = loss.get();
        double value = l.value().item();
        if (!Double.isFinite(value)) {
            throw new NonFiniteException("Training step " + (steps + 1) + ": the loss is " + value
                    + "; lower the learning rate, clip gradients, or check the inputs for NaN", -1);
        }
        l.backward();
        try {
            GradClip.checkFinite(params);
        } catch (NonFiniteException e) {
            throw new NonFiniteException("Training step " + (steps + 1) + ": gradient of parameter '" + names.get(e.parameterIndex())
                    + "' is not finite (" + e.getMessage() + "); no parameter was updated", e.parameterIndex());
        }
        if (!Double.isNaN(clipNorm)) {
            GradClip.clipGradNorm(params, clipNorm, 2.0);
        }
        optimizer.step();
        steps++;
        return value;
    }

    /** The model's parameters by name, as the trainer sees them. */
    public Map<String, Var> parameters() {
        return model.parameters();
    }
}
