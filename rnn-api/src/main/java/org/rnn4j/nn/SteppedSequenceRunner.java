package org.rnn4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.Lengths;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;

/**
 * A direction as the cell's {@link Cell#step} at every step: the input projection
 * {@code x W_ih^T + b_ih} of all steps as one matmul, split into steps, then the recurrence. With
 * padding, a padded step keeps the state ({@code old + m * (new - old)} with the step's 0/1 mask m) and
 * outputs 0.
 */
final class SteppedSequenceRunner implements SequenceRunner {
    private final Cell cell;
    private final Backend backend;
    private final int hiddenSize;
    /** The per-step masks of the lengths last seen, built once per forward pass. */
    private final int[] stateSizes;
    private Lengths maskedFor;
    private DType maskDType;
    /** Per state width (index into {@link #stateSizes}), per step: the step's mask. */
    private final java.util.Map<Integer, Var[]> masks = new java.util.HashMap<>();

    SteppedSequenceRunner(Cell cell, Backend backend, int hiddenSize) {
        this.cell = cell;
        this.backend = backend;
        this.hiddenSize = hiddenSize;
        this.stateSizes = cell.stateSizes(hiddenSize);
    }

    @Override
    public Run run(Var input, DirectionParams p, List<Var> initial, boolean reverse, Lengths lengths) {
        int batch = input.dim(0);
        int steps = input.dim(1);
        Var[] projSteps = F.unbind(SequenceRunner.project(input, p.weightIh(), p.biasIh()), 1);
        boolean masked = !lengths.isFull();
        if (masked) {
            prepareMasks(lengths, input.dtype());
        }
        int stateCount = initial.size();
        List<Var> state = initial;
        Var[] outs = new Var[steps];
        for (int k = 0; k < steps; k++) {
            int t = reverse ? steps - 1 - k : k;
            List<Var> next = cell.step(projSteps[t], state, p.recurrent());
            if (k == 0) {
                checkStep(next, batch);
            }
            if (masked) {
                List<Var> blended = new ArrayList<>(stateCount);
                for (int i = 0; i < stateCount; i++) {
                    // padded steps keep the old state: old + mask * (new - old)
                    Var m = masks.get(stateSizes[i])[t];
                    blended.add(F.add(state.get(i), F.mul(m, F.sub(next.get(i), state.get(i)))));
                }
                outs[t] = F.mul(masks.get(stateSizes[0])[t], next.get(0));
                state = blended;
            } else {
                outs[t] = next.get(0);
                state = next;
            }
        }
        return new Run(F.stack(Arrays.asList(outs), 1), state);
    }

    /** Per step and per state width W a {@code [B, W]} constant: 1 for sequences still running at that step, else 0. */
    private void prepareMasks(Lengths lengths, DType dtype) {
        if (!lengths.equals(maskedFor) || dtype != maskDType) {
            masks.clear();
            maskedFor = lengths;
            maskDType = dtype;
        }
        for (int width : stateSizes) {
            masks.computeIfAbsent(width, w -> {
                Var[] m = new Var[lengths.steps()];
                for (int t = 0; t < m.length; t++) {
                    m[t] = Var.constant(backend.fromDoubles(lengths.stepMask(t, w), dtype, lengths.batch(), w));
                }
                return m;
            });
        }
    }

    private void checkStep(List<Var> next, int batch) {
        List<String> names = cell.stateNames();
        if (next == null || next.size() != names.size()) {
            throw new IllegalStateException("Cell '" + cell.name() + "' returned " + (next == null ? "null" : next.size() + " states")
                    + " but declares " + names.size() + " " + names);
        }
        for (int s = 0; s < names.size(); s++) {
            if (!Arrays.equals(next.get(s).shape(), new int[] {batch, stateSizes[s]})) {
                throw new IllegalStateException("Cell '" + cell.name() + "' returned state '" + names.get(s) + "' of shape "
                        + Shapes.str(next.get(s).shape()) + "; expected [" + batch + ", " + stateSizes[s] + "]");
            }
        }
    }

    @Override
    public String describe() {
        return "cell step " + cell.implementation(backend);
    }
}
