package org.rnn4j.nd4j;

import org.rnn4j.spi.ComputeBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.backend.Backends;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * A JMH-free timing harness (a main, not a test): the canonical training step, forward + backward + SGD
 * of one LSTM layer at batch 32, 64 steps, input 128, hidden 256, float32, on the cpu and nd4j backends,
 * plus GRU, inference-only forward, the nd4j composed (unfused) cells and ND4J's raw sgemm rate. The
 * workloads run round-robin and the table gives the best and the median round, so that load from other
 * processes falls on all of them alike.
 *
 * <pre>
 * mvn -B -o -q test-compile -pl rnn-backend-nd4j
 * mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=cp.txt -pl rnn-backend-nd4j
 * java -cp "rnn-backend-nd4j/target/test-classes:rnn-backend-nd4j/target/classes:$(cat rnn-backend-nd4j/cp.txt)" org.rnn4j.nd4j.Nd4jTiming [rounds] [cpu,nd4j]
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

    /** One workload: a name and a step that runs it once. */
    private record Config(String name, Runnable step) {
    }

    private static Runnable trainStep(ComputeBackend b, Cell cell) {
        DType dt = DType.FLOAT32;
        Recurrent layer = Recurrent.builder(cell, I, H).backend(b).dtype(dt).seed(1).build();
        Var x = Var.constant(random(b, dt, 2, B, T, I));
        Tensor r = random(b, dt, 3, B, T, H);
        return () -> {
            Var out = layer.forward(x).output();
            F.sum(F.mul(out, Var.constant(r))).backward();
            for (Var p : layer.parameters().values()) {
                p.set(b.addScaled(p.value(), p.grad(), -1e-4));
                p.zeroGrad();
            }
        };
    }

    private static Runnable forwardOnly(Backend b, Cell cell) {
        DType dt = DType.FLOAT32;
        Recurrent layer = Recurrent.builder(cell, I, H).backend(b).dtype(dt).seed(1).build();
        Var x = Var.constant(random(b, dt, 2, B, T, I));
        return () -> {
            try (var off = Grad.disabled()) {
                layer.forward(x).output().value().toFloatArray();
            }
        };
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
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int warmup = 2;
        List<String> backends = args.length > 1 ? Arrays.asList(args[1].split(",")) : List.of("cpu", "nd4j");
        ComputeBackend nd4j = ComputeBackend.of(Backends.get("nd4j"));
        System.out.println(Nd4jDiagnostics.describe());
        System.out.printf(Locale.ROOT, "ND4J sgemm: 512^3 %.1f GFLOP/s, 2048^3 %.1f GFLOP/s (OPENBLAS_CORETYPE=%s)%n", sgemm(512), sgemm(2048),
                System.getenv("OPENBLAS_CORETYPE"));
        List<Config> configs = new ArrayList<>();
        String shape = "b" + B + " t" + T + " i" + I + " h" + H + " f32";
        for (String name : backends) {
            ComputeBackend b = name.equals("nd4j") ? nd4j : ComputeBackend.of(Backends.get(name));
            configs.add(new Config(name + " LSTM train " + shape + " [" + Cells.lstm().implementation(b) + "]", trainStep(b, Cells.lstm())));
            configs.add(new Config(name + " GRU  train " + shape + " [" + Cells.gru().implementation(b) + "]", trainStep(b, Cells.gru())));
            configs.add(new Config(name + " LSTM forward only (inference)", forwardOnly(b, Cells.lstm())));
            if (name.equals("nd4j")) {
                configs.add(new Config(name + " LSTM train, composed cell", trainStep(b, Cells.composed(Cells.lstm()))));
                configs.add(new Config(name + " GRU  train, composed cell", trainStep(b, Cells.composed(Cells.gru()))));
            }
        }
        // round-robin, so that load from other processes falls on every configuration alike
        double[][] ms = new double[configs.size()][rounds];
        for (int round = -warmup; round < rounds; round++) {
            for (int c = 0; c < configs.size(); c++) {
                long t0 = System.nanoTime();
                configs.get(c).step().run();
                if (round >= 0) {
                    ms[c][round] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-62s %10s %10s%n", "workload (" + rounds + " rounds)", "min ms", "median ms");
        for (int c = 0; c < configs.size(); c++) {
            double[] v = ms[c].clone();
            Arrays.sort(v);
            System.out.printf(Locale.ROOT, "%-62s %10.1f %10.1f%n", configs.get(c).name(), v[0], v[rounds / 2]);
        }
        System.out.println(Nd4jDiagnostics.memory());
        try {
            System.out.println("load average: " + new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/loadavg"))).trim());
        } catch (java.io.IOException e) {
            // not on Linux
        }
    }
}
