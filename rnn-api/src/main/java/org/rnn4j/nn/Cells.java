package org.rnn4j.nn;

import java.util.List;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.FusedKernel;

/**
 * The built-in cells with PyTorch's math and gate order. Each uses its backend's fused kernel when the
 * backend offers one ({@link Backend#fused}) and the composed primitives otherwise;
 * {@link #composed(Cell)} forces the composed path (for checking one against the other).
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

    /**
     * The backend's fused kernel for a whole sequence of {@code cell} ({@link FusedKernel#LSTM_SEQUENCE}
     * and the like), or null: for cells other than the built-ins, for {@link #composed} ones and for
     * backends that do not offer one. {@link Recurrent} then runs the cell step by step.
     */
    static FusedKernel sequenceKernel(Cell cell, Backend backend) {
        return cell instanceof BuiltIn b ? b.sequenceKernel(backend) : null;
    }

    /** The name of {@link #sequenceKernel}'s kernel for a built-in cell, else null. */
    static String sequenceKernelName(Cell cell) {
        return cell instanceof BuiltIn b ? b.sequenceKernelName() : null;
    }

    /** Base of the built-ins: finds the backend's fused kernels once per backend. */
    private abstract static class BuiltIn implements Cell {
        final boolean allowFused;
        private Backend cachedFor;
        private FusedKernel cachedKernel;
        private FusedKernel cachedSequenceKernel;

        BuiltIn(boolean allowFused) {
            this.allowFused = allowFused;
        }

        abstract String kernelName();

        abstract String sequenceKernelName();

        private void lookUp(Backend backend) {
            if (cachedFor != backend) {
                cachedFor = backend;
                cachedKernel = ComputeBackend.of(backend).fused(kernelName()).orElse(null);
                cachedSequenceKernel = ComputeBackend.of(backend).fused(sequenceKernelName()).orElse(null);
            }
        }

        synchronized FusedKernel kernel(Backend backend) {
            if (!allowFused) {
                return null;
            }
            lookUp(backend);
            return cachedKernel;
        }

        synchronized FusedKernel sequenceKernel(Backend backend) {
            if (!allowFused) {
                return null;
            }
            lookUp(backend);
            return cachedSequenceKernel;
        }

        /**
         * {@code fused:<sequence kernel>} when the backend runs whole sequences of this cell in one kernel
         * (inside {@link Recurrent}), else {@code fused:<cell kernel>} or {@code composed}.
         */
        @Override
        public String implementation(Backend backend) {
            if (sequenceKernel(backend) != null) {
                return "fused:" + sequenceKernelName();
            }
            return kernel(backend) != null ? "fused:" + kernelName() : "composed";
        }

        @Override
        public String toString() {
            return name();
        }
    }

    private static final class Elman extends BuiltIn {
        final boolean relu;

        Elman(boolean relu, boolean allowFused) {
            super(allowFused);
            this.relu = relu;
        }

        @Override
        public String name() {
            return relu ? "rnn_relu" : "rnn_tanh";
        }

        @Override
        String kernelName() {
            return relu ? FusedKernel.RNN_RELU_CELL : FusedKernel.RNN_TANH_CELL;
        }

        @Override
        String sequenceKernelName() {
            return relu ? FusedKernel.RNN_RELU_SEQUENCE : FusedKernel.RNN_TANH_SEQUENCE;
        }

        @Override
        public int gates() {
            return 1;
        }

        @Override
        public List<String> stateNames() {
            return List.of("h");
        }

        @Override
        public List<Var> step(Var xProj, List<Var> state, CellParams p) {
            Var h = state.get(0);
            FusedKernel k = kernel(xProj.backend());
            if (k != null) {
                return List.of(F.fused(kernelName(), k, xProj, h, p.weightHh(), p.biasHh())[0]);
            }
            Var pre = F.add(xProj, F.linear(h, p.weightHh(), p.biasHh()));
            return List.of(relu ? F.relu(pre) : F.tanh(pre));
        }
    }

    private static final class Lstm extends BuiltIn {
        Lstm(boolean allowFused) {
            super(allowFused);
        }

        @Override
        public String name() {
            return "lstm";
        }

        @Override
        String kernelName() {
            return FusedKernel.LSTM_CELL;
        }

        @Override
        String sequenceKernelName() {
            return FusedKernel.LSTM_SEQUENCE;
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
        public List<Var> step(Var xProj, List<Var> state, CellParams p) {
            Var h = state.get(0);
            Var c = state.get(1);
            FusedKernel k = kernel(xProj.backend());
            if (k != null) {
                Var[] out = F.fused(kernelName(), k, xProj, h, c, p.weightHh(), p.biasHh());
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

    private static final class Gru extends BuiltIn {
        Gru(boolean allowFused) {
            super(allowFused);
        }

        @Override
        public String name() {
            return "gru";
        }

        @Override
        String kernelName() {
            return FusedKernel.GRU_CELL;
        }

        @Override
        String sequenceKernelName() {
            return FusedKernel.GRU_SEQUENCE;
        }

        @Override
        public int gates() {
            return 3;
        }

        @Override
        public List<String> stateNames() {
            return List.of("h");
        }

        @Override
        public List<Var> step(Var xProj, List<Var> state, CellParams p) {
            Var h = state.get(0);
            FusedKernel k = kernel(xProj.backend());
            if (k != null) {
                return List.of(F.fused(kernelName(), k, xProj, h, p.weightHh(), p.biasHh())[0]);
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
