package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * The sequence kernels against a step-by-step reference made of the per-step cell kernels and the
 * masked blending {@link Recurrent} uses for other cells: values and the gradients of every input, for
 * both directions, with and without lengths, biases and initial states, in float64 (to 1e-10) and
 * float32 (the fast activations, to 1e-5 norm-wise).
 */
class SequenceKernelsTest {
    private final CpuBackend be = new CpuBackend(new BackendOptions(2));

    enum Kind {
        LSTM("lstm_sequence", "lstm_cell", 4, true),
        GRU("gru_sequence", "gru_cell", 3, false),
        RNN_TANH("rnn_tanh_sequence", "rnn_tanh_cell", 1, false),
        RNN_RELU("rnn_relu_sequence", "rnn_relu_cell", 1, false);

        final String seq;
        final String cell;
        final int gates;
        final boolean hasC;

        Kind(String seq, String cell, int gates, boolean hasC) {
            this.seq = seq;
            this.cell = cell;
            this.gates = gates;
            this.hasC = hasC;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            for (DType d : DType.values()) {
                out.add(Arguments.of(k, d, false, null, true, true));
                out.add(Arguments.of(k, d, true, null, true, false));
                out.add(Arguments.of(k, d, false, new int[] {5, 2, 1}, false, true));
                out.add(Arguments.of(k, d, true, new int[] {3, 5, 4}, true, true));
            }
        }
        return out.stream();
    }

    private Tensor random(SplittableRandom rng, DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble(-1.5, 1.5);
        }
        return be.fromDoubles(v, dtype, shape);
    }

    @ParameterizedTest(name = "{0} {1} reverse={2} lengths={3} bias={4} state={5}")
    @MethodSource("cases")
    void sequenceKernelEqualsTheStepByStepReference(Kind kind, DType dtype, boolean reverse, int[] lengths, boolean bias, boolean state) {
        int b = 3;
        int t = 5;
        int h = 7;
        int g = kind.gates * h;
        SplittableRandom rng = new SplittableRandom(kind.ordinal() * 31 + (reverse ? 7 : 0) + (lengths == null ? 0 : 3));
        Tensor xp = random(rng, dtype, b, t, g);
        Tensor h0 = state ? random(rng, dtype, b, h) : be.zeros(dtype, b, h);
        Tensor c0 = state ? random(rng, dtype, b, h) : be.zeros(dtype, b, h);
        Tensor w = random(rng, dtype, g, h);
        Tensor bhh = bias ? random(rng, dtype, g) : null;
        Tensor bih = bias ? random(rng, dtype, g) : null;
        Tensor ry = random(rng, dtype, b, t, h);
        Tensor rh = random(rng, dtype, b, h);
        Tensor rc = random(rng, dtype, b, h);

        List<Var> in1 = leaves(kind, xp, h0, c0, w, bhh, bih);
        Var[] out1 = F.fused(kind.seq, be.fused(kind.seq).orElseThrow(), new FusedKernel.Sequence(reverse, lengths), in1.toArray(new Var[0]));
        List<Var> in2 = leaves(kind, xp, h0, c0, w, bhh, bih);
        Var[] out2 = reference(kind, in2, reverse, lengths, b, t);
        double tol = dtype == DType.FLOAT64 ? 1e-10 : 1e-5;
        for (int i = 0; i < out1.length; i++) {
            close(kind + " output " + i, out1[i].value(), out2[i].value(), tol);
        }
        loss(kind, out1, ry, rh, rc).backward();
        loss(kind, out2, ry, rh, rc).backward();
        for (int i = 0; i < in1.size(); i++) {
            if (in1.get(i) != null) {
                close(kind + " gradient of input " + i, in1.get(i).grad(), in2.get(i).grad(), tol * 10);
            }
        }
        if (lengths != null) {
            // padded steps give 0 and their xProj gets no gradient
            double[] y = out1[0].value().toDoubleArray();
            double[] gx = in1.get(0).grad().toDoubleArray();
            for (int s = 0; s < b; s++) {
                for (int step = lengths[s]; step < t; step++) {
                    for (int j = 0; j < h; j++) {
                        assertEquals(0.0, y[(s * t + step) * h + j]);
                    }
                    for (int j = 0; j < g; j++) {
                        assertEquals(0.0, gx[(s * t + step) * g + j]);
                    }
                }
            }
        }
    }

    private List<Var> leaves(Kind kind, Tensor xp, Tensor h0, Tensor c0, Tensor w, Tensor bhh, Tensor bih) {
        List<Var> in = new ArrayList<>();
        in.add(Var.parameter(xp));
        in.add(Var.parameter(h0));
        if (kind.hasC) {
            in.add(Var.parameter(c0));
        }
        in.add(Var.parameter(w));
        in.add(bhh == null ? null : Var.parameter(bhh));
        in.add(bih == null ? null : Var.parameter(bih));
        return in;
    }

    private Var[] reference(Kind kind, List<Var> in, boolean reverse, int[] lengths, int b, int t) {
        FusedKernel cell = be.fused(kind.cell).orElseThrow();
        int s = kind.hasC ? 2 : 1;
        Var xp = in.get(0);
        Var w = in.get(1 + s);
        Var bhh = in.get(2 + s);
        Var bih = in.get(3 + s);
        Var[] steps = F.unbind(xp, 1);
        List<Var> state = new ArrayList<>(in.subList(1, 1 + s));
        int h = state.get(0).dim(1);
        Var[] outs = new Var[t];
        for (int k = 0; k < t; k++) {
            int time = reverse ? t - 1 - k : k;
            Var x = bih == null ? steps[time] : F.add(steps[time], bih);
            Var[] args = new Var[s + 3];
            args[0] = x;
            for (int i = 0; i < s; i++) {
                args[1 + i] = state.get(i);
            }
            args[1 + s] = w;
            args[2 + s] = bhh;
            Var[] next = F.fused(kind.cell, cell, args);
            if (lengths == null) {
                outs[time] = next[0];
                state = List.of(next);
            } else {
                double[] m = new double[b * h];
                for (int r = 0; r < b; r++) {
                    for (int j = 0; j < h; j++) {
                        m[r * h + j] = time < lengths[r] ? 1 : 0;
                    }
                }
                Var mask = Var.constant(be.fromDoubles(m, xp.dtype(), b, h));
                List<Var> blended = new ArrayList<>();
                for (int i = 0; i < s; i++) {
                    blended.add(F.add(state.get(i), F.mul(mask, F.sub(next[i], state.get(i)))));
                }
                outs[time] = F.mul(mask, next[0]);
                state = blended;
            }
        }
        Var[] out = new Var[1 + s];
        out[0] = F.stack(List.of(outs), 1);
        for (int i = 0; i < s; i++) {
            out[1 + i] = state.get(i);
        }
        return out;
    }

    private Var loss(Kind kind, Var[] out, Tensor ry, Tensor rh, Tensor rc) {
        Var l = F.add(F.sum(F.mul(out[0], Var.constant(ry))), F.sum(F.mul(out[1], Var.constant(rh))));
        return kind.hasC ? F.add(l, F.sum(F.mul(out[2], Var.constant(rc)))) : l;
    }

    private static void close(String what, Tensor actual, Tensor expected, double tol) {
        double err = Tensors.relativeError(actual.toDoubleArray(), expected.toDoubleArray());
        assertTrue(err <= tol, what + ": relative error " + err + " > " + tol);
    }

    @Test
    void builtInCellsRunAsOneSequenceKernelAndComposedCellsDoNot() {
        Recurrent lstm = Recurrent.builder(Cells.lstm(), 3, 4).backend(be).build();
        assertTrue(lstm.explain().contains("fused:lstm_sequence"), lstm.explain());
        assertEquals("fused:gru_sequence", Cells.gru().implementation(be));
        assertEquals("fused:rnn_relu_sequence", Cells.rnnRelu().implementation(be));
        assertEquals("composed", Cells.composed(Cells.lstm()).implementation(be));
        Recurrent composed = Recurrent.builder(Cells.composed(Cells.gru()), 3, 4).backend(be).build();
        assertTrue(composed.explain().contains("cell step composed"), composed.explain());
    }

    @Test
    void badCallsAreRejectedWithTheirNames() {
        FusedKernel k = be.fused("gru_sequence").orElseThrow();
        Tensor xp = be.zeros(DType.FLOAT32, 2, 3, 12);
        Tensor h0 = be.zeros(DType.FLOAT32, 2, 4);
        Tensor w = be.zeros(DType.FLOAT32, 12, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.apply(new FusedKernel.Sequence(false, new int[] {4, 1}), xp, h0, w, null, null));
        assertTrue(e.getMessage().contains("lengths[0] = 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.apply(xp, h0, w, null));
        assertTrue(e.getMessage().contains("gru_sequence") && e.getMessage().contains("5 inputs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.apply(be.zeros(DType.FLOAT32, 2, 3, 9), h0, w, null, null));
        assertTrue(e.getMessage().contains("xProj"), e.getMessage());
        assertThrows(UnsupportedOperationException.class,
                () -> be.fused("gru_cell").orElseThrow().apply(FusedKernel.Sequence.FORWARD, be.zeros(DType.FLOAT32, 2, 12), h0, w, null));
    }
}
