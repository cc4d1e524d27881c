package org.rnn4j.nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backend;
import org.rnn4j.backend.Backends;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * A JMH-free timing harness (a main, not a test): the canonical training step, forward + backward + SGD
 * of one LSTM layer at batch 32, 64 steps, input 128, hidden 256, float32, on the cpu and nd4j backends,
 * plus GRU, inference-only forward, the nd4j composed (unfused) cells and ND4J's raw sgemm rate.
 *
 * <pre>
 * mvn -B -o -q test-compile -pl rnn-backend-nd4j
 * java -cp "rnn-backend-nd4j/target/test-classes:rnn-backend-nd4j/target/classes:$(cat cp.txt)" org.rnn4j.nd4j.Nd4jTiming [iterations]
 * OPENBLAS_CORETYPE=SkylakeX java ... org.rnn4j.nd4j.Nd4jTiming
 * </pre>
 */
public final class Nd4jTiming {
    private Nd4jTiming() {
    }

    private static final int B = 32;
    private static final int T = 64;
    private static final int I = 128;
    private static final int H = 256;

    private static Tensor random(Backend b, DType dt, long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return b.fromFloats(x, dt, shape);
    }

    /** Median milliseconds of one step after warm-up. */
    private static double time(Runnable step, int warmup, int iterations) {
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[iterations / 2];
    }

    private static double trainStep(Backend b, Cell cell, int warmup, int iterations) {
        DType dt = DType.FLOAT32;
        Recurrent layer = Recurrent.builder(cell, I, H).backend(b).dtype(dt).seed(1).build();
        Var x = Var.constant(random(b, dt, 2, B, T, I));
        Tensor r = random(b, dt, 3, B, T, H);
        return time(() -> {
            Var out = layer.forward(x).output();
            F.sum(F.mul(out, Var.constant(r))).backward();
            for (Var p : layer.parameters().values()) {
                p.set(b.addScaled(p.value(), p.grad(), -1e-4));
                p.zeroGrad();
            }
        }, warmup, iterations);
    }

    private static double forwardOnly(Backend b, Cell cell, int warmup, int iterations) {
        DType dt = DType.FLOAT32;
        Recurrent layer = Recurrent.builder(cell, I, H).backend(b).dtype(dt).seed(1).build();
        Var x = Var.constant(random(b, dt, 2, B, T, I));
        return time(() -> {
            try (var off = Grad.disabled()) {
                layer.forward(x).output().value().toFloatArray();
            }
        }, warmup, iterations);
    }

    private static double sgemm(int n) {
        org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        org.nd4j.linalg.api.ndarray.INDArray c = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            org.nd4j.linalg.factory.Nd4j.gemm(a, a, c, false, false, 1.0, 0.0);
            if (i > 0) {
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int warmup = 3;
        List<String> backends = args.length > 1 ? Arrays.asList(args[1].split(",")) : List.of("cpu", "nd4j");
        Backend nd4j = Backends.get("nd4j");
        System.out.println(Nd4jDiagnostics.describe());
        System.out.printf(Locale.ROOT, "ND4J sgemm: 512^3 %.1f GFLOP/s, 2048^3 %.1f GFLOP/s (OPENBLAS_CORETYPE=%s)%n", sgemm(512), sgemm(2048),
                System.getenv("OPENBLAS_CORETYPE"));
        List<String> rows = new ArrayList<>();
        for (String name : backends) {
            Backend b = name.equals("nd4j") ? nd4j : Backends.get(name);
            rows.add(String.format(Locale.ROOT, "%-5s LSTM train step (fwd+bwd+SGD) b%d t%d i%d h%d f32: %8.1f ms  [%s]", name, B, T, I, H,
                    trainStep(b, Cells.lstm(), warmup, iterations), Cells.lstm().implementation(b)));
            System.out.println(rows.get(rows.size() - 1));
            rows.add(String.format(Locale.ROOT, "%-5s GRU  train step (fwd+bwd+SGD) b%d t%d i%d h%d f32: %8.1f ms  [%s]", name, B, T, I, H,
                    trainStep(b, Cells.gru(), warmup, iterations), Cells.gru().implementation(b)));
            System.out.println(rows.get(rows.size() - 1));
            rows.add(String.format(Locale.ROOT, "%-5s LSTM forward only (inference)          : %8.1f ms", name,
                    forwardOnly(b, Cells.lstm(), warmup, iterations)));
            System.out.println(rows.get(rows.size() - 1));
            if (name.equals("nd4j")) {
                rows.add(String.format(Locale.ROOT, "%-5s LSTM train step, composed cell          : %8.1f ms  [%s]", name,
                        trainStep(b, Cells.composed(Cells.lstm()), warmup, iterations), Cells.composed(Cells.lstm()).implementation(b)));
                System.out.println(rows.get(rows.size() - 1));
                rows.add(String.format(Locale.ROOT, "%-5s GRU  train step, composed cell          : %8.1f ms  [%s]", name,
                        trainStep(b, Cells.composed(Cells.gru()), warmup, iterations), Cells.composed(Cells.gru()).implementation(b)));
                System.out.println(rows.get(rows.size() - 1));
            }
        }
        System.out.println();
        rows.forEach(System.out::println);
        System.out.println(Nd4jDiagnostics.memory());
    }
}
