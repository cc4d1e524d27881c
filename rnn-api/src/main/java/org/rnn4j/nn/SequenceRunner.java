package org.rnn4j.nn;

import java.util.List;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.Lengths;
import org.rnn4j.tensor.Backend;

/**
 * Runs one layer and one direction of a {@link Recurrent} over a whole batch of sequences. Two
 * implementations: {@link FusedSequenceRunner} (the backend's sequence kernel, one graph node) and
 * {@link SteppedSequenceRunner} (the cell's {@link Cell#step} at every step); {@link #forCell} picks one.
 */
interface SequenceRunner {

    /**
     * The output of every step and the final states.
     *
     * @param output     {@code [B, T, H]}, 0 at padded steps
     * @param finalState each {@code [B, H]}, in the cell's {@link Cell#stateNames()} order
     */
    record Run(Var output, List<Var> finalState) {
    }

    /**
     * Runs the direction. Modifies nothing.
     *
     * @param input   {@code [B, T, I]}, the layer's input
     * @param params  the direction's parameters
     * @param state   the initial states, each {@code [B, H]}
     * @param reverse run the steps {@code T-1 .. 0}
     * @param lengths the valid length of every sequence (all {@code T} for none)
     */
    Run run(Var input, DirectionParams params, List<Var> state, boolean reverse, Lengths lengths);

    /** What runs, for {@link Recurrent#explain()}: e.g. {@code whole sequence fused:lstm_sequence} or {@code cell step composed}. */
    String describe();

    /**
     * The input projection of every step as one matmul: {@code input [B, T, I]} times {@code weightIh^T}
     * ({@code [G*H, I]}), plus {@code biasIh} unless it is null; {@code [B, T, G*H]}.
     */
    static Var project(Var input, Var weightIh, Var biasIh) {
        int[] s = input.shape();
        Var proj = F.linear(F.reshape(input, s[0] * s[1], s[2]), weightIh, biasIh);
        return F.reshape(proj, s[0], s[1], weightIh.dim(0));
    }

    /**
     * The runner {@code cell} chooses on {@code backend}: the backend's kernel for the cell's
     * {@link Cell#sequenceKernel()} when the backend offers one, else the step loop. A fresh runner per call
     * (a stepped runner keeps the masks of one forward pass).
     */
    static SequenceRunner forCell(Cell cell, Backend backend, int hiddenSize) {
        return cell.sequenceKernel()
                .flatMap(kind -> ComputeBackend.of(backend).sequenceKernel(kind))
                .<SequenceRunner>map(kernel -> new FusedSequenceRunner(kernel))
                .orElseGet(() -> new SteppedSequenceRunner(cell, backend, hiddenSize));
    }
}
