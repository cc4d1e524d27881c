package org.rnn4j.cuda;

import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.CellKernel;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.spi.SequenceKernel;
import org.rnn4j.tensor.Tensor;

/**
 * The fused kernels of the CUDA backend, one per {@link KernelKind}: the SPI checks the arguments, then
 * {@link RecurrentRunner} runs them (a cell step is a sequence of one step).
 */
final class CudaFusedKernels {
    private CudaFusedKernels() {
    }

    static FusedKernel of(CudaBackend backend, KernelKind kind) {
        return kind.sequence() ? new Sequence(backend, kind) : new Step(backend, kind);
    }

    private static CudaTensor c(Tensor t) {
        return (CudaTensor) t;
    }

    /** A cell step as a sequence of one step: outputs {@code h'} (and {@code c'}). */
    private static final class Step extends CellKernel {
        private final CudaBackend backend;
        private final RecurrentRunner.Cell cell;

        Step(CudaBackend backend, KernelKind kind) {
            super(backend, kind);
            this.backend = backend;
            this.cell = RecurrentRunner.Cell.of(kind);
        }

        @Override
        protected Result forward(CellArgs args, Dims dims) {
            int batch = dims.batch();
            int g = cell.gates * dims.hidden();
            boolean lstm = cell.hasCellState;
            CudaTensor seqX = new CudaTensor(c(args.xProj()), new int[] {batch, 1, g});
            CudaTensor[] out = new CudaTensor[3];
            RecurrentRunner run = RecurrentRunner.forward(backend, cell, seqX, c(args.h()), lstm ? c(args.c()) : null, c(args.weightHh()),
                    c(args.biasHh()), null, false, null, true, out);
            seqX.close();
            Tensor[] outputs = lstm ? new Tensor[] {out[1], out[2]} : new Tensor[] {out[1]};
            return Result.of(outputs, grads -> {
                CudaTensor[] d = run.backward(null, c(grads[0]), lstm ? c(grads[1]) : null);
                CudaTensor dx = new CudaTensor(d[0], new int[] {batch, g});
                d[0].close();
                if (d[5] != null) {
                    d[5].close();
                }
                return new Tensor[] {dx, d[1], d[2], d[3], d[4]};
            });
        }
    }

    /** A whole sequence of one layer and direction: outputs {@code y, h_T} (and {@code c_T}). */
    private static final class Sequence extends SequenceKernel {
        private final CudaBackend backend;
        private final RecurrentRunner.Cell cell;

        Sequence(CudaBackend backend, KernelKind kind) {
            super(backend, kind);
            this.backend = backend;
            this.cell = RecurrentRunner.Cell.of(kind);
        }

        @Override
        protected Result forward(SequenceArgs args, Dims dims) {
            Lengths lengths = args.lengths();
            boolean lstm = cell.hasCellState;
            CudaTensor[] out = new CudaTensor[3];
            RecurrentRunner run = RecurrentRunner.forward(backend, cell, c(args.xProj()), c(args.h0()), lstm ? c(args.c0()) : null,
                    c(args.weightHh()), c(args.biasHh()), c(args.biasIh()), args.reverse(), lengths.isFull() ? null : lengths.toArray(),
                    args.backward(), out);
            Tensor[] outputs = lstm ? new Tensor[] {out[0], out[1], out[2]} : new Tensor[] {out[0], out[1]};
            if (!args.backward()) {
                return Result.outputsOnly(outputs); // the runner and its (absent) activations are not kept
            }
            return Result.of(outputs, grads -> run.backward(c(grads[0]), c(grads[1]), lstm ? c(grads[2]) : null));
        }
    }
}
