package org.rnn4j.cuda;

import java.util.Arrays;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The {@link FusedKernel}s of the CUDA backend: argument checks against the contract in {@link FusedKernel},
 * then {@link RecurrentRunner} (a cell step is a sequence of one step).
 */
final class CudaFusedKernels {
    private CudaFusedKernels() {
    }

    static FusedKernel cell(CudaBackend backend, RecurrentRunner.Cell cell) {
        return new CellStep(backend, cell);
    }

    static FusedKernel sequence(CudaBackend backend, RecurrentRunner.Cell cell) {
        return new Sequence(backend, cell);
    }

    /** Shared checks: ownership, ranks, shapes and one dtype. */
    private abstract static class Base implements FusedKernel {
        final CudaBackend backend;
        final RecurrentRunner.Cell cell;
        final String name;

        Base(CudaBackend backend, RecurrentRunner.Cell cell, String name) {
            this.backend = backend;
            this.cell = cell;
            this.name = name;
        }

        /** Checks the inputs named {@code names} (the last {@code optional} may be null); returns {batch, hidden}. */
        int[] check(Tensor[] inputs, String[] names, int optional, int xRank) {
            if (inputs == null || inputs.length != names.length) {
                throw new IllegalArgumentException(name + ": expected " + names.length + " inputs " + Arrays.toString(names) + ", got "
                        + (inputs == null ? "null" : inputs.length));
            }
            for (int i = 0; i < names.length; i++) {
                if (i < names.length - optional || inputs[i] != null) {
                    backend.requireOwn(name + " input " + names[i], inputs[i]);
                }
            }
            Tensor x = inputs[0];
            Tensor h = inputs[1];
            Shapes.checkRank(name + ": " + names[0], x, xRank);
            Shapes.checkRank(name + ": " + names[1], h, 2);
            int batch = h.dim(0);
            int hidden = h.dim(1);
            int g = cell.gates * hidden;
            if (xRank == 2) {
                Shapes.checkShape(name + ": xProj (gates * hidden = " + cell.gates + " * " + hidden + ")", x, batch, g);
            } else {
                Shapes.checkShape(name + ": xProj [B, T, gates * hidden = " + cell.gates + " * " + hidden + "]", x, batch, x.dim(1), g);
                if (x.dim(1) < 1) {
                    throw new IllegalArgumentException(name + ": xProj has " + x.dim(1) + " steps, expected at least 1");
                }
            }
            for (int i = 2; i < names.length; i++) {
                Tensor t = inputs[i];
                if (t == null) {
                    continue;
                }
                String what = name + ": " + names[i];
                switch (names[i]) {
                    case "c", "c0" -> Shapes.checkShape(what, t, batch, hidden);
                    case "W_hh" -> Shapes.checkShape(what, t, g, hidden);
                    default -> Shapes.checkShape(what, t, g);
                }
            }
            for (int i = 1; i < names.length; i++) {
                if (inputs[i] != null && inputs[i].dtype() != x.dtype()) {
                    throw new IllegalArgumentException(name + ": " + names[i] + " is " + inputs[i].dtype() + " but xProj is " + x.dtype()
                            + "; all inputs must have one dtype");
                }
            }
            return new int[] {batch, hidden};
        }

        /** Checks output gradients against the outputs; a null array or entry is a zero gradient. */
        CudaTensor[] gradients(Tensor[] grads, Tensor[] outputs, DType dtype) {
            CudaTensor[] out = new CudaTensor[outputs.length];
            if (grads == null) {
                return out;
            }
            if (grads.length != outputs.length) {
                throw new IllegalArgumentException(name + " backward: expected " + outputs.length + " output gradients, got " + grads.length);
            }
            for (int i = 0; i < grads.length; i++) {
                if (grads[i] == null) {
                    continue;
                }
                backend.requireOwn(name + " output gradient " + i, grads[i]);
                Shapes.checkShape(name + " backward: output gradient " + i, grads[i], outputs[i].shape());
                if (grads[i].dtype() != dtype) {
                    throw new IllegalArgumentException(name + " backward: output gradient " + i + " is " + grads[i].dtype()
                            + " but the forward pass ran in " + dtype);
                }
                out[i] = (CudaTensor) grads[i];
            }
            return out;
        }

        static CudaTensor c(Tensor t) {
            return (CudaTensor) t;
        }

        @Override
        public String toString() {
            return backend.name() + " fused " + name;
        }
    }

    /** A cell step: inputs {@code xProj [B,G*H], h, (c), W_hh, b_hh}; outputs {@code h' (, c')}. */
    private static final class CellStep extends Base {
        private final String[] names;

        CellStep(CudaBackend backend, RecurrentRunner.Cell cell) {
            super(backend, cell, cell.cellKernel);
            this.names = cell.hasCellState ? new String[] {"xProj", "h", "c", "W_hh", "b_hh"} : new String[] {"xProj", "h", "W_hh", "b_hh"};
        }

        @Override
        public Result apply(Tensor... inputs) {
            int[] bh = check(inputs, names, 1, 2);
            int batch = bh[0];
            int hidden = bh[1];
            boolean lstm = cell.hasCellState;
            CudaTensor x = c(inputs[0]);
            DType dtype = x.dtype();
            CudaTensor w = c(inputs[lstm ? 3 : 2]);
            CudaTensor bhh = c(inputs[lstm ? 4 : 3]);
            CudaTensor seqX = new CudaTensor(x, new int[] {batch, 1, cell.gates * hidden});
            CudaTensor[] seqOut = new CudaTensor[3];
            RecurrentRunner run = RecurrentRunner.forward(backend, cell, seqX, c(inputs[1]), lstm ? c(inputs[2]) : null, w, bhh, null, false, null,
                    seqOut);
            seqX.close();
            Tensor[] outputs = lstm ? new Tensor[] {seqOut[1], seqOut[2]} : new Tensor[] {seqOut[1]};
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return outputs.clone();
                }

                @Override
                public Tensor[] backward(Tensor... outputGradients) {
                    CudaTensor[] g = gradients(outputGradients, outputs, dtype);
                    CudaTensor[] d = run.backward(null, g[0], lstm ? g[1] : null);
                    CudaTensor dx = new CudaTensor(d[0], new int[] {batch, cell.gates * hidden});
                    d[0].close();
                    return lstm ? new Tensor[] {dx, d[1], d[2], d[3], d[4]} : new Tensor[] {dx, d[1], d[2], d[3]};
                }
            };
        }
    }

    /** A whole sequence: inputs {@code xProj [B,T,G*H], h0, (c0), W_hh, b_hh, b_ih}; outputs {@code y, h_T (, c_T)}. */
    private static final class Sequence extends Base {
        private final String[] names;

        Sequence(CudaBackend backend, RecurrentRunner.Cell cell) {
            super(backend, cell, cell.sequenceKernel);
            this.names = cell.hasCellState ? new String[] {"xProj", "h0", "c0", "W_hh", "b_hh", "b_ih"}
                    : new String[] {"xProj", "h0", "W_hh", "b_hh", "b_ih"};
        }

        @Override
        public Result apply(Tensor... inputs) {
            return apply(FusedKernel.Sequence.FORWARD, inputs);
        }

        @Override
        public Result apply(FusedKernel.Sequence options, Tensor... inputs) {
            FusedKernel.Sequence opts = options == null ? FusedKernel.Sequence.FORWARD : options;
            int[] bh = check(inputs, names, 2, 3);
            int batch = bh[0];
            int steps = inputs[0].dim(1);
            int[] lengths = opts.lengths();
            if (lengths != null) {
                if (lengths.length != batch) {
                    throw new IllegalArgumentException(name + ": " + lengths.length + " lengths for a batch of " + batch);
                }
                boolean full = true;
                for (int b = 0; b < batch; b++) {
                    if (lengths[b] < 1 || lengths[b] > steps) {
                        throw new IllegalArgumentException(name + ": lengths[" + b + "] = " + lengths[b] + " is outside [1, " + steps + "]");
                    }
                    full &= lengths[b] == steps;
                }
                lengths = full ? null : lengths.clone();
            }
            boolean lstm = cell.hasCellState;
            int o = lstm ? 1 : 0;
            CudaTensor x = c(inputs[0]);
            DType dtype = x.dtype();
            CudaTensor[] seqOut = new CudaTensor[3];
            RecurrentRunner run = RecurrentRunner.forward(backend, cell, x, c(inputs[1]), lstm ? c(inputs[2]) : null, c(inputs[2 + o]),
                    c(inputs[3 + o]), c(inputs[4 + o]), opts.reverse(), lengths, seqOut);
            Tensor[] outputs = lstm ? new Tensor[] {seqOut[0], seqOut[1], seqOut[2]} : new Tensor[] {seqOut[0], seqOut[1]};
            return new Result() {
                @Override
                public Tensor[] outputs() {
                    return outputs.clone();
                }

                @Override
                public Tensor[] backward(Tensor... outputGradients) {
                    CudaTensor[] g = gradients(outputGradients, outputs, dtype);
                    return run.backward(g[0], g[1], lstm ? g[2] : null);
                }
            };
        }
    }
}
