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
 *
 * <p>The step's graph is released: right after each backward pass ({@link #accumulate}, and so
 * {@link #step}) the trainer calls {@link Var#releaseGraph()} on the loss, which closes the values of
 * every Var the loss was computed from by ops (not leaves: parameters, inputs and targets stay open),
 * so that the next step reuses their memory (on the cpu backend a steady-state step then allocates
 * almost nothing). Consequence for the loss supplier: a Var it computed (an output kept for metrics, a
 * final state) throws {@code "closed"} once the step returns; compute metrics inside the supplier, or
 * {@link Var#detach()} what must outlive the step (the detached value stays open: carried recurrent
 * state, e.g. {@code Recurrent.forwardStateful}, is detached this way), or turn releasing off with
 * {@link #releaseGraphs(boolean) releaseGraphs(false)} (the garbage collector then reclaims each step's
 * values, as before).
 */
public final class Trainer {
    private final Module model;
    private final Optimizer optimizer;
    private final List<String> names;
    private final List<Var> params;
    private double clipNorm = Double.NaN;
    private boolean releaseGraphs = true;
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

    /**
     * Whether each loss's graph is released after its backward pass ({@link Var#releaseGraph()}; on by
     * default, see the class comment). Returns this trainer.
     */
    public Trainer releaseGraphs(boolean on) {
        this.releaseGraphs = on;
        return this;
    }

    /** Whether each loss's graph is released after its backward pass. */
    public boolean releasesGraphs() {
        return releaseGraphs;
    }

    /** Steps taken so far. */
    public long steps() {
        return steps;
    }

    /**
     * One whole step: clears the gradients, then {@link #accumulate(Supplier, double) accumulate}s
     * {@code loss} with weight 1 and {@link #update() update}s. Returns the loss.
     *
     * @throws NonFiniteException naming the step (and the parameter) when the loss or a gradient is NaN
     *                            or infinite; no parameter is updated then
     * @throws IllegalArgumentException when {@code loss} is null or returns null (nothing is changed
     *     beyond the cleared gradients)
     */
    public double step(Supplier<Var> loss) {
        model.zeroGrad();
        double value = accumulate(loss, 1.0);
        update();
        return value;
    }

    /**
     * Computes {@code loss} and adds {@code weight} times its gradient to the parameters' gradients
     * without updating anything (gradient accumulation: call it for each micro-batch with weight
     * {@code 1/k}, then {@link #update()}). Returns the unweighted loss. Then releases the loss's graph
     * ({@link Var#releaseGraph()}) unless {@link #releaseGraphs(boolean) releaseGraphs(false)}; also when
     * the loss is not finite (nothing is accumulated then).
     *
     * @throws IllegalArgumentException when {@code loss} is null or yields null, or the weight is not finite
     * @throws NonFiniteException       when the loss is NaN or infinite (nothing is accumulated then)
     */
    public double accumulate(Supplier<Var> loss, double weight) {
        if (loss == null) {
            throw new IllegalArgumentException("Trainer: the loss supplier is null");
        }
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("Trainer.accumulate: weight = " + weight + ", expected a finite number");
        }
        Var l = loss.get();
        if (l == null) {
            throw new IllegalArgumentException("Trainer: the loss supplier returned null (step " + (steps + 1)
                    + "); it must return the scalar loss Var computed from the model's parameters");
        }
        double value = l.value().item();
        if (!Double.isFinite(value)) {
            if (releaseGraphs) {
                l.releaseGraph();
            }
            throw new NonFiniteException("Training step " + (steps + 1) + ": the loss is " + value
                    + "; lower the learning rate, clip gradients, or check the inputs for NaN", -1);
        }
        Var root = weight == 1.0 ? l : org.rnn4j.autograd.F.scale(l, weight);
        root.backward();
        if (releaseGraphs) {
            root.releaseGraph();
        }
        return value;
    }

    /**
     * Checks the accumulated gradients are finite (naming the first parameter that is not), clips them
     * when configured, lets the optimizer update the parameters, clears the gradients and counts the step.
     *
     * @throws NonFiniteException naming the step and the parameter; nothing is updated then
     */
    public void update() {
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
        model.zeroGrad();
        steps++;
    }

    /** The optimizer this trainer updates with. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Sets the step counter (resuming a run). */
    public void setSteps(long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("Trainer.setSteps: steps = " + steps + ", expected >= 0");
        }
        this.steps = steps;
    }

    /** The model's parameters by name, as the trainer sees them. */
    public Map<String, Var> parameters() {
        return model.parameters();
    }
}
