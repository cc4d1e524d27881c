package org.rnn4j.nd4j;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.backend.Backends;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Checkpoints;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * A model trained on one backend, saved with {@link Checkpoints#save} and loaded on the other, gives the
 * same outputs and carried state (to the dtype's tolerance), both ways: cpu to nd4j and nd4j to cpu.
 */
class CrossBackendCheckpointTest {

    static Stream<Arguments> directions() {
        List<Arguments> args = new ArrayList<>();
        for (DType dtype : DType.values()) {
            args.add(Arguments.of("cpu", "nd4j", dtype));
            args.add(Arguments.of("nd4j", "cpu", dtype));
        }
        return args.stream();
    }

    private static Backend backend(String name) {
        var p = Backends.providers().get(name);
        Assumptions.assumeTrue(p != null && p.availability().available(), () -> "backend " + name + " unavailable");
        return Backends.get(name);
    }

    private static Recurrent lstm(Backend b, DType dtype, long seed) {
        return Recurrent.builder(Cells.lstm(), 5, 7).numLayers(2).bidirectional(false).backend(b).dtype(dtype).seed(seed).build();
    }

    private static Tensor input(Backend b, DType dtype, long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextDouble() * 2 - 1;
        }
        return b.fromDoubles(x, dtype, shape);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @MethodSource("directions")
    void trainedModelSavedOnOneBackendLoadsOnTheOther(String from, String to, DType dtype, @TempDir Path dir) throws IOException {
        ComputeBackend src = ComputeBackend.of(backend(from));
        ComputeBackend dst = ComputeBackend.of(backend(to));
        Recurrent a = lstm(src, dtype, 3);
        // a few SGD steps on the source backend, so the saved weights are not the initial ones
        Tensor xs = input(src, dtype, 10, 3, 6, 5);
        Tensor target = input(src, dtype, 11, 3, 6, 7);
        for (int step = 0; step < 5; step++) {
            Var out = a.forward(Var.constant(xs)).output();
            Var diff = F.sub(out, Var.constant(target));
            F.mean(F.mul(diff, diff)).backward();
            for (Var p : a.parameters().values()) {
                p.set(src.addScaled(p.value(), p.grad(), -0.1));
                p.zeroGrad();
            }
        }
        a.forwardStateful(Var.constant(input(src, dtype, 12, 3, 4, 5)));
        Path file = dir.resolve(from + "-to-" + to + "-" + dtype + ".safetensors");
        Checkpoints.save(file, a);

        Recurrent b = lstm(dst, dtype, 99);
        Checkpoints.load(file, b);
        for (Map.Entry<String, Var> e : a.parameters().entrySet()) {
            assertArrayEquals(e.getValue().value().toDoubleArray(), b.parameters().get(e.getKey()).value().toDoubleArray(), 0.0,
                    e.getKey() + " differs after the round trip");
        }
        double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
        Tensor x2 = input(src, dtype, 13, 3, 5, 5);
        Tensor ya = a.forwardStateful(Var.constant(x2)).value();
        Tensor yb = b.forwardStateful(Var.constant(Tensors.to(x2, dst))).value();
        assertEquals(to, yb.backend().name());
        double err = Tensors.relativeError(yb.toDoubleArray(), ya.toDoubleArray());
        assertTrue(err <= tol, from + " -> " + to + " " + dtype + ": continued stream differs, relative error " + err);
        for (int i = 0; i < a.stateNames().size(); i++) {
            double e = Tensors.relativeError(b.state().get(i).toDoubleArray(), a.state().get(i).toDoubleArray());
            assertTrue(e <= tol, "state " + a.stateNames().get(i) + " differs, relative error " + e);
        }
        // and a fresh whole-sequence forward from zero state
        a.resetState();
        b.resetState();
        Recurrent.Output oa = a.forward(Var.constant(x2), new int[] {5, 3, 4}, null);
        Recurrent.Output ob = b.forward(Var.constant(Tensors.to(x2, dst)), new int[] {5, 3, 4}, null);
        double e = Tensors.relativeError(ob.output().value().toDoubleArray(), oa.output().value().toDoubleArray());
        assertTrue(e <= tol, "masked forward differs, relative error " + e);
    }
}
