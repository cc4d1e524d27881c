package org.rnn4j.cpu;

import java.util.Arrays;
import java.util.function.Function;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Shared part of the fused cell kernels: validation of inputs and output gradients against the
 * contract in {@link FusedKernel}, and small helpers. Kernels are stateless (everything a backward
 * pass needs lives in its {@link FusedKernel.Result}), so one instance serves every thread and batch size.
 */
abstract class CellKernel implements FusedKernel {
    final CpuBackend backend;
    private final String name;
    private final int gates;
    private final String[] inputNames;
    private final int outputs;

    /** Batch size, hidden size and dtype of one call. */
    record Dims(int batch, int hidden, DType dtype) {
        boolean float32() {
            return dtype == DType.FLOAT32;
        }
    }

    CellKernel(CpuBackend backend, String name, int gates, boolean hasCell) {
        this.backend = backend;
        this.name = name;
        this.gates = gates;
        this.inputNames = hasCell ? new String[] {"xProj", "h", "c", "W_hh", "b_hh"} : new String[] {"xProj", "h", "W_hh", "b_hh"};
        this.outputs = hasCell ? 2 : 1;
    }

    /** Checks {@code inputs} against the contract (the last input, {@code b_hh}, may be null). */
    final Dims validate(Tensor[] inputs) {
        if (inputs == null || inputs.length != inputNames.length) {
            throw new IllegalArgumentException(name + ": expected " + inputNames.length + " inputs " + Arrays.toString(inputNames)
                    + ", got " + (inputs == null ? "null" : inputs.length));
        }
        int last = inputNames.length - 1;
        for (int i = 0; i < last; i++) {
            backend.requireOwn(name + " input " + inputNames[i], inputs[i]);
        }
        if (inputs[last] != null) {
            backend.requireOwn(name + " input b_hh", inputs[last]);
        }
        Tensor x = inputs[0];
        Tensor h = inputs[1];
        Shapes.checkRank(name + ": xProj", x, 2);
        Shapes.checkRank(name + ": h", h, 2);
        int batch = h.dim(0);
        int hidden = h.dim(1);
        Shapes.checkShape(name + ": xProj (gates * hidden = " + gates + " * " + hidden + ")", x, batch, gates * hidden);
        for (int i = 2; i <= last; i++) {
            Tensor t = inputs[i];
            if (t == null) {
                continue;
            }
            String what = name + ": " + inputNames[i];
            switch (inputNames[i]) {
                case "c" -> Shapes.checkShape(what, t, batch, hidden);
                case "W_hh" -> Shapes.checkShape(what, t, gates * hidden, hidden);
                default -> Shapes.checkShape(what, t, gates * hidden);
            }
        }
        for (int i = 1; i <= last; i++) {
            if (inputs[i] != null && inputs[i].dtype() != x.dtype()) {
                throw new IllegalArgumentException(name + ": " + inputNames[i] + " is " + inputs[i].dtype() + " but xProj is "
                        + x.dtype() + "; all inputs must have one dtype");
            }
        }
        return new Dims(batch, hidden, x.dtype());
    }

    /**
     * Checks the output gradients of a backward call and returns their arrays, with null for a null
     * (zero) gradient; a null array means all gradients are zero.
     */
    final Arr[] gradients(Tensor[] grads, Dims d) {
        Arr[] out = new Arr[outputs];
        if (grads == null) {
            return out;
        }
        if (grads.length != outputs) {
            throw new IllegalArgumentException(name + " backward: expected " + outputs + " output gradients, got " + grads.length);
        }
        for (int i = 0; i < outputs; i++) {
            Tensor g = grads[i];
            if (g == null) {
                continue;
            }
            backend.requireOwn(name + " output gradient " + i, g);
            Shapes.checkShape(name + " backward: output gradient " + i, g, d.batch(), d.hidden());
            if (g.dtype() != d.dtype()) {
                throw new IllegalArgumentException(name + " backward: output gradient " + i + " is " + g.dtype()
                        + " but the forward pass ran in " + d.dtype());
            }
            out[i] = Arr.of(CpuBackend.data(g));
        }
        return out;
    }

    static Object data(Tensor t) {
        return t == null ? null : CpuBackend.data(t);
    }

    static double get(Arr a, int i) {
        return a == null ? 0.0 : a.get(i);
    }

    /** Column sums of a row-major {@code [rows, cols]} array, accumulated in double, as the array's type. */
    static Object columnSums(Object m, int rows, int cols) {
        if (m instanceof float[] f) {
            double[] acc = new double[cols];
            for (int r = 0; r < rows; r++) {
                for (int j = 0, o = r * cols; j < cols; j++) {
                    acc[j] += f[o + j];
                }
            }
            return Storage.convert(acc, DType.FLOAT32);
        }
        Arr v = Arr.of(m);
        double[] acc = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0, o = r * cols; j < cols; j++) {
                acc[j] += v.get(o + j);
            }
        }
        return Storage.convert(acc, Storage.dtypeOf(m));
    }

    /**
     * The gradients of the recurrent matmul {@code pre = ... + h · W^T + b} given {@code dPre [B, G]}:
     * {@code dW = dPre^T · h}, {@code db = colsum(dPre)} (null when the bias was null).
     */
    final Tensor[] weightGradients(Object dPre, Object h, boolean hasBias, Dims d) {
        int g = gates * d.hidden();
        Tensor dW = backend.wrap(new int[] {g, d.hidden()}, backend.gemm(dPre, h, g, d.hidden(), d.batch(), true, false, null));
        Tensor db = hasBias ? backend.wrap(new int[] {g}, columnSums(dPre, d.batch(), g)) : null;
        return new Tensor[] {dW, db};
    }

    /** A result with fixed outputs whose backward pass is {@code backward}. */
    static Result result(Tensor[] outputs, Function<Tensor[], Tensor[]> backward) {
        return new Result() {
            @Override
            public Tensor[] outputs() {
                return outputs.clone();
            }

            @Override
            public Tensor[] backward(Tensor... outputGradients) {
                return backward.apply(outputGradients);
            }
        };
    }

    @Override
    public String toString() {
        return "cpu fused " + name;
    }
}
