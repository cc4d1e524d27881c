package org.rnn4j.nd4j;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.backend.Backends;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.CellParams;
import org.rnn4j.nn.Cells;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * The single-step fused kernels ({@code lstm_cell}, {@code gru_cell}, {@code rnn_*_cell}), which
 * {@code Recurrent} no longer uses once the sequence kernels exist but {@code Cell.step} does: outputs and
 * every input gradient equal the composed cell's, with and without {@code b_hh}, in both dtypes, for
 * gradients reaching every output or only some.
 */
class Nd4jCellKernelsTest {

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Cell c : List.of(Cells.lstm(), Cells.gru(), Cells.rnnTanh(), Cells.rnnRelu())) {
            for (DType dt : DType.values()) {
                for (boolean bias : new boolean[] {true, false}) {
                    for (int which = 0; which < (c.stateNames().size() == 2 ? 3 : 1); which++) {
                        a.add(Arguments.of(c.name(), c, dt, bias, which));
                    }
                }
            }
        }
        return a.stream();
    }

    private static Var leaf(Backend b, SplittableRandom rng, DType dt, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble() * 2 - 1;
        }
        return Var.leaf(b.fromDoubles(x, dt, shape), true);
    }

    /** which: 0 = gradients reach every state, 1 = only h', 2 = only c' (LSTM). */
    @ParameterizedTest(name = "{0} {2} bias={3} grads={4}")
    @MethodSource("cases")
    void fusedStepEqualsComposedStep(String name, Cell cell, DType dt, boolean bias, int which) {
        ComputeBackend b = ComputeBackend.of(Backends.get("nd4j"));
        assertTrue(cell.implementation(b).startsWith("fused:"), cell.implementation(b));
        int batch = 5;
        int hidden = 7;
        int g = cell.gates();
        double[][] results = new double[2][];
        List<double[]> grads = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Cell c = run == 0 ? cell : Cells.composed(cell);
            SplittableRandom rng = new SplittableRandom(42);
            Var xProj = leaf(b, rng, dt, batch, g * hidden);
            List<Var> state = new ArrayList<>();
            for (int s = 0; s < cell.stateNames().size(); s++) {
                state.add(leaf(b, rng, dt, batch, hidden));
            }
            Var w = leaf(b, rng, dt, g * hidden, hidden);
            Var bh = bias ? leaf(b, rng, dt, g * hidden) : null;
            List<Var> next = c.step(xProj, state, new CellParams(w, bh, java.util.Map.of()));
            Var loss = null;
            List<Double> out = new ArrayList<>();
            for (int s = 0; s < next.size(); s++) {
                for (double v : next.get(s).value().toDoubleArray()) {
                    out.add(v);
                }
                if (which == 0 || which == s + 1) {
                    Tensor r = leaf(b, new SplittableRandom(7 + s), dt, batch, hidden).value();
                    Var term = F.sum(F.mul(next.get(s), Var.constant(r)));
                    loss = loss == null ? term : F.add(loss, term);
                }
            }
            results[run] = out.stream().mapToDouble(Double::doubleValue).toArray();
            loss.backward();
            List<Var> leaves = new ArrayList<>(List.of(xProj, w));
            leaves.addAll(state);
            if (bh != null) {
                leaves.add(bh);
            }
            for (int i = 0; i < leaves.size(); i++) {
                double[] gr = leaves.get(i).grad() == null ? new double[leaves.get(i).value().size()] : leaves.get(i).grad().toDoubleArray();
                if (run == 0) {
                    grads.add(gr);
                } else {
                    double err = Tensors.relativeError(grads.get(i), gr);
                    double tol = dt == DType.FLOAT64 ? 1e-12 : 1e-5;
                    assertTrue(err <= tol, name + " grad of input " + i + ": relative error " + err);
                }
            }
        }
        assertEquals(results[1].length, results[0].length);
        double err = Tensors.relativeError(results[0], results[1]);
        assertTrue(err <= (dt == DType.FLOAT64 ? 1e-13 : 1e-6), name + " outputs: relative error " + err);
    }
}
