package org.rnn4j.nn;

import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Node;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.CellKernel;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.spi.SequenceKernel;
import org.rnn4j.tensor.Tensor;

/**
 * Runs a backend's fused kernel on {@link Var}s as one node of the autograd graph: the built-in cells'
 * steps ({@link Cells}) and whole sequences ({@link FusedSequenceRunner}). Inputs are given in the order of
 * the kernel's argument record, whose gradients the kernel's backward returns in that order.
 */
final class FusedOps {
    private FusedOps() {
    }

    /** One cell step: outputs {@code h'} (and {@code c'}); {@code c} and {@code biasHh} may be null. */
    static Var[] cell(CellKernel kernel, Var xProj, Var h, Var c, Var weightHh, Var biasHh) {
        FusedKernel.Result r = kernel.apply(new CellArgs(value(xProj), value(h), value(c), value(weightHh), value(biasHh)));
        return record(kernel, r, xProj, h, c, weightHh, biasHh);
    }

    /**
     * A whole sequence: outputs {@code y [B, T, H]}, {@code h_T} (and {@code c_T}); nullable as in
     * {@link SequenceArgs}. Forward only ({@link SequenceArgs#backward()} false, no per-step activations
     * kept) when no node will be recorded ({@link Grad#recording}).
     */
    static Var[] sequence(SequenceKernel kernel, Var xProj, Var h0, Var c0, Var weightHh, Var biasHh, Var biasIh, boolean reverse,
                          Lengths lengths) {
        boolean backward = Grad.recording(xProj, h0, c0, weightHh, biasHh, biasIh);
        FusedKernel.Result r = kernel.apply(new SequenceArgs(value(xProj), value(h0), value(c0), value(weightHh), value(biasHh),
                value(biasIh), reverse, lengths, backward));
        return record(kernel, r, xProj, h0, c0, weightHh, biasHh, biasIh);
    }

    private static Tensor value(Var v) {
        return v == null ? null : v.value();
    }

    private static Var[] record(FusedKernel kernel, FusedKernel.Result result, Var... inputs) {
        Tensor[] outputs = result.outputs();
        return new Node(kernel.kind().id(), outputs.length, inputs) {
            @Override
            protected Tensor[] backward(Tensor[] outputGradients) {
                return result.backward(outputGradients);
            }

            @Override
            protected void release() {
                result.release();
            }
        }.record(outputs);
    }
}
