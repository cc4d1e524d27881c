package org.rnn4j.nn;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.CellKernel;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.Backend;

/**
 * The built-in cells with PyTorch's math and gate order. Each uses its backend's fused kernels when the
 * backend offers them ({@link ComputeBackend#fused}: a whole-sequence kernel inside {@link Recurrent}, a
 * cell-step kernel in {@link Cell#step}) and the composed primitives otherwise; {@link #composed(Cell)}
 * forces the composed path (for checking one against the other).
 */
public final class Cells {
    private Cells() {
    }

    /** Elman RNN with tanh: {@code h' = tanh(xProj + h W_hh^T + b_hh)}. */
    public static Cell rnnTanh() {
        return new Elman(false, true);
    }

    /** Elman RNN with relu: {@code h' = relu(xProj + h W_hh^T + b_hh)}. */
    public static Cell rnnRelu() {
        return new Elman(true, true);
    }

    /** LSTM, gates (i, f, g, o), states (h, c). */
    public static Cell lstm() {
        return new Lstm(true);
    }

    /**
     * PyTorch's LSTM with projections ({@code proj_size}): the LSTM step with {@code h' = W_hr (o * tanh(c'))},
     * so {@code h} is {@code [B, P]}, {@code c} is {@code [B, H]}, {@code weight_hh} is {@code [4H, P]} and each
     * layer and direction has the extra parameter {@code weight_hr [P, H]} (named {@code weight_hr_l{k}}).
     * Runs on the composed primitives. {@code projSize} 0 gives {@link #lstm()}.
     *
     * @throws IllegalArgumentException when {@code projSize} is negative
     */
    public static Cell lstm(int projSize) {
        if (projSize < 0) {
            throw new IllegalArgumentException("Cells.lstm: projSize = " + projSize + ", expected 0 (none) or a positive size");
        }
        return projSize == 0 ? lstm() : new ProjectedLstm(projSize);
    }

    /** The projection size of an LSTM cell made by {@link #lstm(int)}, or 0 for any other cell. */
    public static int projSize(Cell cell) {
        return cell instanceof ProjectedLstm p ? p.projSize : 0;
    }

    /** GRU, gates (r, z, n), reset gate applied to {@code W_hn h + b_hn} as PyTorch and cuDNN do. */
    public static Cell gru() {
        return new Gru(true);
    }

    /** The cell named {@code rnn_tanh}, {@code rnn_relu}, {@code lstm} or {@code gru}. */
    public static Cell byName(String name) {
        return switch (name) {
            case "rnn_tanh", "rnn", "tanh" -> rnnTanh();
            case "rnn_relu", "relu" -> rnnRelu();
            case "lstm" -> lstm();
            case "gru" -> gru();
            default -> throw new IllegalArgumentException("Unknown cell '" + name + "'; expected rnn_tanh, rnn_relu, lstm or gru");
        };
    }

    /** The same built-in cell, always on the composed primitives (no fused kernel). Other cells are returned as they are. */
    public static Cell composed(Cell cell) {
        if (cell instanceof Elman e) {
            return new Elman(e.relu, false);
        }
        if (cell instanceof Lstm) {
            return new Lstm(false);
        }
        if (cell instanceof Gru) {
            return new Gru(false);
        }
        return cell;
    }

    /** Base of the built-ins: the kernel kinds of the cell, used unless the cell was made {@link #composed}. */
    private abstract static class BuiltIn implements Cell {
        private final KernelKind kind;
        private final boolean allowFused;

        BuiltIn(KernelKind kind, boolean allowFused) {
            this.kind = kind;
            this.allowFused = allowFused;
        }

        @Override
        public final String name() {
            return kind.cell();
        }

        @Override
        public final int gates() {
            return kind.gates();
        }

        @Override
        public final Optional<KernelKind> sequenceKernel() {
            return allowFused ? Optional.of(kind.sequenceKind()) : Optional.empty();
        }

        /** The backend's cell-step kernel for this cell, or null (composed). */
        final CellKernel kernel(Backend backend) {
            return allowFused ? ComputeBackend.of(backend).cellKernel(kind).orElse(null) : null;
        }

        /**
         * {@code fused:<sequence kernel>} when the backend runs whole sequences of this cell in one kernel
         * (inside {@link Recurrent}), else {@code fused:<cell kernel>} or {@code composed}.
         */
        @Override
        public String implementation(Backend backend) {
            if (allowFused) {
                ComputeBackend b = ComputeBackend.of(backend);
                for (KernelKind k : List.of(kind.sequenceKind(), kind)) {
                    if (b.fused(k).isPresent()) {
                        return "fused:" + k.id();
                    }
                }
            }
            return "composed";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private static final class Elman extends BuiltIn {
        final boolean relu;

        Elman(boolean relu, boolean allowFused) {
            super(relu ? KernelKind.RNN_RELU_CELL : KernelKind.RNN_TANH_CELL, allowFused);
            this.relu = relu;
        }

        @Override
        public List<String> stateNames() {
            return List.of("h");
        }

        @Override
        public List<Var> step(Var xProj, List<Var> state, CellParams p) {
            Var h = state.get(0);
            CellKernel k = kernel(xProj.backend());
            if (k != null) {
                return List.of(FusedOps.cell(k, xProj, h, null, p.weightHh(), p.biasHh())[0]);
            }
            Var pre = F.add(xProj, F.linear(h, p.weightHh(), p.biasHh()));
            return List.of(relu ? F.relu(pre) : F.tanh(pre));
        }
    }

    private static final class Lstm extends BuiltIn {
        Lstm(boolean allowFused) {
            super(KernelKind.LSTM_CELL, allowFused);
        }

        @Override
        public List<String> stateNames() {
            return List.of("h", "c");
        }

        @Override
        public List<Var> step(Var xProj, List<Var> state, CellParams p) {
            Var h = state.get(0);
            Var c = state.get(1);
            CellKernel k = kernel(xProj.backend());
            if (k != null) {
                Var[] out = FusedOps.cell(k, xProj, h, c, p.weightHh(), p.biasHh());
                return List.of(out[0], out[1]);
            }
            int hs = h.dim(1);
            Var gates = F.add(xProj, F.linear(h, p.weightHh(), p.biasHh()));
            Var i = F.sigmoid(F.slice(gates, 1, 0, hs));
            Var f = F.sigmoid(F.slice(gates, 1, hs, 2 * hs));
            Var g = F.tanh(F.slice(gates, 1, 2 * hs, 3 * hs));
            Var o = F.sigmoid(F.slice(gates, 1, 3 * hs, 4 * hs));
            Var c2 = F.add(F.mul(f, c), F.mul(i, g));
            Var h2 = F.mul(o, F.tanh(c2));
            return List.of(h2, c2);
        }
    }

    /** The LSTM with a projection of {@code h} (PyTorch's {@code proj_size}); composed, no fused kernel. */
    private static final class ProjectedLstm implements Cell {
        final int projSize;

        ProjectedLstm(int projSize) {
            this.projSize = projSize;
        }

        @Override
        public String name() {
            return "lstm";
        }

        @Override
        public int gates() {
            return 4;
        }

        @Override
        public List<String> stateNames() {
            return List.of("h", "c");
        }

        @Override
        public Map<String, int[]> extraParameters(int hiddenSize) {
            return Map.of("weight_hr", new int[] {projSize, hiddenSize});
        }

        @Override
        public int[] stateSizes(int hiddenSize) {
            return new int[] {projSize, hiddenSize};
        }

        @Override
        public List<Var> step(Var xProj, List<Var> state, CellParams p) {
            Var h = state.get(0);
            Var c = state.get(1);
            int hs = c.dim(1);
            Var gates = F.add(xProj, F.linear(h, p.weightHh(), p.biasHh()));
            Var i = F.sigmoid(F.slice(gates, 1, 0, hs));
            Var f = F.sigmoid(F.slice(gates, 1, hs, 2 * hs));
            Var g = F.tanh(F.slice(gates, 1, 2 * hs, 3 * hs));
            Var o = F.sigmoid(F.slice(gates, 1, 3 * hs, 4 * hs));
            Var c2 = F.add(F.mul(f, c), F.mul(i, g));
            Var h2 = F.linear(F.mul(o, F.tanh(c2)), p.extra("weight_hr"), null);
            return List.of(h2, c2);
        }

        @Override
        public String toString() {
            return "lstm(proj " + projSize + ")";
        }
    }

    private static final class Gru extends BuiltIn {
        Gru(boolean allowFused) {
            super(KernelKind.GRU_CELL, allowFused);
        }

        @Override
        public List<String> stateNames() {
            return List.of("h");
        }

        @Override
        public List<Var> step(Var xProj, List<Var> state, CellParams p) {
            Var h = state.get(0);
            CellKernel k = kernel(xProj.backend());
            if (k != null) {
                return List.of(FusedOps.cell(k, xProj, h, null, p.weightHh(), p.biasHh())[0]);
            }
            int hs = h.dim(1);
            Var hh = F.linear(h, p.weightHh(), p.biasHh());
            Var r = F.sigmoid(F.add(F.slice(xProj, 1, 0, hs), F.slice(hh, 1, 0, hs)));
            Var z = F.sigmoid(F.add(F.slice(xProj, 1, hs, 2 * hs), F.slice(hh, 1, hs, 2 * hs)));
            Var n = F.tanh(F.add(F.slice(xProj, 1, 2 * hs, 3 * hs), F.mul(r, F.slice(hh, 1, 2 * hs, 3 * hs))));
            // h' = (1 - z) * n + z * h = n + z * (h - n)
            return List.of(F.add(n, F.mul(z, F.sub(h, n))));
        }
    }
}
