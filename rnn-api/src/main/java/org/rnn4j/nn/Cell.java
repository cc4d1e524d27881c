package org.rnn4j.nn;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.Backend;

/**
 * One recurrent step, written once from backend-neutral {@link org.rnn4j.autograd.F} ops: it then runs
 * on every backend, inside every option of {@link Recurrent} (layers, directions, masks, streaming), and
 * its backward pass comes from the autograd graph.
 *
 * <p>A cell with {@code G} gates and hidden size {@code H} owns PyTorch's parameters per layer and
 * direction: {@code weight_ih [G*H, I]}, {@code weight_hh [G*H, H]}, {@code bias_ih [G*H]} and
 * {@code bias_hh [G*H]} (biases optional), plus any {@link #extraParameters}. The layer computes the input
 * projection {@code xProj = x_t · weight_ih^T + bias_ih} for all steps at once and calls
 * {@link #step} once per time step.
 *
 * <p>Writing a new cell (the minimal gated unit):
 * <pre>{@code
 * Cell mgu = new Cell() {
 *     public String name() { return "mgu"; }
 *     public int gates() { return 2; }                        // f, candidate
 *     public List<String> stateNames() { return List.of("h"); }
 *     public List<Var> step(Var xProj, List<Var> state, CellParams p) {
 *         Var h = state.get(0);
 *         int hs = h.dim(1);
 *         Var hhF = F.linear(h, p.rows(p.weightHh(), 0, hs), p.biasRows(0, hs));
 *         Var f = F.sigmoid(F.add(F.slice(xProj, 1, 0, hs), hhF));
 *         Var hhN = F.linear(F.mul(f, h), p.rows(p.weightHh(), hs, 2 * hs), p.biasRows(hs, 2 * hs));
 *         Var n = F.tanh(F.add(F.slice(xProj, 1, hs, 2 * hs), hhN));
 *         return List.of(F.add(h, F.mul(f, F.sub(n, h))));   // h' = (1-f)*h + f*n
 *     }
 * };
 * Recurrent layer = Recurrent.builder(mgu, inputSize, hidden).backend(backend).build();
 * }</pre>
 */
public interface Cell {

    /** Short lower-case name, used in {@link Recurrent#explain()} and messages. */
    String name();

    /** Number of gates {@code G}; at least 1. */
    int gates();

    /** Names of the state tensors, e.g. {@code ["h"]} or {@code ["h", "c"]}; the first is the step's output. */
    List<String> stateNames();

    /**
     * Extra parameters per layer and direction beyond PyTorch's four, by name, with their shape for
     * hidden size {@code hiddenSize}; initialised U(-1/sqrt(H), 1/sqrt(H)) and named
     * {@code NAME_l{k}[_reverse]}. Default: none.
     */
    default Map<String, int[]> extraParameters(int hiddenSize) {
        return Map.of();
    }

    /**
     * The width of each state for hidden size {@code hiddenSize}, in {@link #stateNames()} order. The first
     * (the step's output) is also the width {@code weight_hh} multiplies ({@code [G*H, sizes[0]]}) and the
     * layer's output per direction. Default: every state {@code hiddenSize}; an LSTM with projections
     * ({@link Cells#lstm(int)}) has {@code h} of the projection size.
     */
    default int[] stateSizes(int hiddenSize) {
        int[] sizes = new int[stateNames().size()];
        java.util.Arrays.fill(sizes, hiddenSize);
        return sizes;
    }

    /**
     * One time step for a batch.
     *
     * @param xProj input projection {@code [B, G*H]} ({@code x_t · weight_ih^T + bias_ih})
     * @param state current states, each {@code [B, H]}, in {@link #stateNames()} order
     * @param p     the recurrent weights of this layer and direction
     * @return the new states in {@link #stateNames()} order; the first is the output at this step.
     *     Must not modify its arguments (no op does).
     */
    List<Var> step(Var xProj, List<Var> state, CellParams p);

    /** Which implementation {@link #step} uses on {@code backend}, e.g. {@code composed} or {@code fused:lstm_cell}. */
    default String implementation(Backend backend) {
        return "composed";
    }

    /**
     * The fused kernel that runs a whole sequence of this cell (one layer and direction) as one call, on
     * backends that offer it; {@link Recurrent} then runs that kernel instead of calling {@link #step} at
     * every step. Empty, the default, always runs {@link #step} over time. A cell that names a kind must
     * compute exactly that kind's math (see {@link KernelKind}).
     */
    default Optional<KernelKind> sequenceKernel() {
        return Optional.empty();
    }
}
