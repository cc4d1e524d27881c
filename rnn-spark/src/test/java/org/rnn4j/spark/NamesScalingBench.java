package org.rnn4j.spark;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.loss.Losses;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.spark.examples.NamesDataParallel;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * The scaling measurement of the README (not part of the test suite): the names example on loopback
 * clusters of 1 and 2 executors in every mode, the compute of an {@code lstm-train-b64-t100-i512-h1024}
 * step on the cpu backend, and the projection to 8, 32 and 128 executors. Run with
 * {@code mvn -o -B -q test -pl rnn-spark -am -Dtest=NamesScalingBench -Drnn4j.spark.bench=true -Dsurefire.failIfNoSpecifiedTests=false};
 * the figures go to {@code rnn-spark/target/scaling.txt}.
 */
@EnabledIfSystemProperty(named = "rnn4j.spark.bench", matches = "true")
class NamesScalingBench {
    static final double BANDWIDTH = 10e9 / 8; // 10 Gbit/s in bytes/s
    static final int STEPS = Integer.getInteger("rnn4j.spark.bench.steps", 60);

    record Measured(int executors, String mode, double wall, double compute, double update, double fetch, long bytes, int batch) {
        double overhead() {
            return wall - compute - update;
        }
    }

    @Test
    void measureAndProject(@TempDir Path dir) throws Exception {
        Path outFile = Path.of("target", "scaling.txt");
        try (PrintStream out = new PrintStream(Files.newOutputStream(outFile), true)) {
            out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
            List<Measured> ms = new ArrayList<>();
            for (int executors = 1; executors <= 2; executors++) {
                try (LoopbackCluster c = new LoopbackCluster(Files.createDirectories(dir.resolve("c" + executors)), executors)) {
                    for (String mode : List.of("sync", "barrier", "avg")) {
                        boolean score = mode.equals("sync");
                        NamesDataParallel.Report r = NamesDataParallel.run(c.spark, new NamesDataParallel.Settings(STEPS, 64, mode, 10, executors, 64,
                                dir.resolve("out" + executors + mode), score), out);
                        List<SparkTrainer.Timing> ts = r.timings().subList(Math.min(mode.equals("sync") ? 5 : 1, r.timings().size() - 1),
                                r.timings().size());
                        double wall = 0, compute = 0, update = 0, fetch = 0;
                        long steps = 0;
                        for (SparkTrainer.Timing t : ts) {
                            wall += t.wall();
                            compute += t.compute();
                            update += t.update();
                            fetch += t.fetch();
                            steps += t.steps();
                        }
                        Measured m = new Measured(executors, mode, wall / steps, compute / steps, update / steps, fetch / steps, ts.get(0).bytes(), 64);
                        ms.add(m);
                        out.printf(Locale.ROOT, "MEASURED executors=%d mode=%s: %.2f steps/s, %.0f samples/s; per step %.1f ms = compute %.1f"
                                + " + driver update %.1f + communication/scheduling %.1f (weight fetch %.1f); payload %d bytes each way%n", executors, mode,
                                1 / m.wall(), 64 / m.wall(), 1e3 * m.wall(), 1e3 * m.compute(), 1e3 * m.update(), 1e3 * m.overhead(), 1e3 * m.fetch(),
                                m.bytes());
                        if (score) {
                            out.printf(Locale.ROOT, "SCORED executors=%d: %d names in %.1f s (%.0f names/s), accuracy %.3f%n", executors, r.scored(),
                                    r.scoreSeconds(), r.scored() / r.scoreSeconds(), r.allAccuracy());
                        }
                    }
                }
            }
            out.println("load average after the cluster runs: " + Files.readString(Path.of("/proc/loadavg")).trim());
            // the big workload: compute of one lstm-train-b64-t100-i512-h1024 step (measured on 8 sequences, scaled), and Adam's update
            Backend cpu = Backends.get("cpu");
            Recurrent lstm = Recurrent.builder(Cells.lstm(), 512, 1024).backend(cpu).dtype(DType.FLOAT32).seed(1).build();
            int b = 8;
            float[] x = new float[b * 100 * 512];
            java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            Var input = Var.constant(cpu.fromFloats(x, DType.FLOAT32, b, 100, 512));
            Var target = Var.constant(cpu.zeros(DType.FLOAT32, b, 100, 1024));
            double best = Double.MAX_VALUE;
            for (int it = 0; it < 3; it++) {
                long t0 = System.nanoTime();
                Losses.mse(lstm.forward(input).output(), target).backward();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                lstm.zeroGrad();
            }
            double lstmPerSample = best / b;
            Optimizer adam = Adam.builder(lstm.parameters().values()).lr(1e-3).build();
            lstm.parameters().values().forEach(p -> p.setGrad(cpu.zeros(DType.FLOAT32, p.shape())));
            double adamBest = Double.MAX_VALUE;
            for (int it = 0; it < 3; it++) {
                long t0 = System.nanoTime();
                adam.step();
                adamBest = Math.min(adamBest, (System.nanoTime() - t0) / 1e9);
            }
            long lstmParams = lstm.parameterCount();
            out.printf(Locale.ROOT, "LSTM 512->1024: %d parameters; forward+backward %.3f s per sample (best of 3 on %d sequences of 100), Adam step %.3f s%n",
                    lstmParams, lstmPerSample, b, adamBest);
            // the projection
            Measured n1 = find(ms, 1, "sync");
            Measured n2 = find(ms, 2, "sync");
            // s0: the measured per-step latency with one executor; s1: the driver's cost per task, assumed 2 ms (on 2 oversubscribed
            // cores the 2-executor overhead mixes CPU contention into it, so it cannot be fitted from these two points)
            double s1 = 0.002;
            double s0 = n1.overhead();
            out.printf(Locale.ROOT, "communication per step: %.1f ms with 1 executor, %.1f ms with 2%n", 1e3 * n1.overhead(), 1e3 * n2.overhead());
            double namesPerSample = n1.compute() / 64;
            out.printf(Locale.ROOT, "MODEL: T(P) = c*ceil(B/P) + s0 + s1*P + (S/bw)*(ceil(log2(P+1)) + 2*ceil(sqrt(P))) + u;"
                    + " c_names = %.3f ms/sample, s0 = %.1f ms, s1 = %.1f ms/executor, u_names = %.1f ms, S_names = %d B,"
                    + " c_lstm = %.0f ms/sample, u_lstm = %.0f ms, S_lstm = %d B, bw = 10 Gbit/s%n", 1e3 * namesPerSample, 1e3 * s0, 1e3 * s1,
                    1e3 * n1.update(), n1.bytes(), 1e3 * lstmPerSample, 1e3 * adamBest, 4 * lstmParams);
            Map<String, double[]> models = new LinkedHashMap<>();
            models.put("names (bi-GRU 64, B=64)", new double[] {namesPerSample, n1.update(), n1.bytes()});
            models.put("lstm-train-b64-t100-i512-h1024 (B=64)", new double[] {lstmPerSample, adamBest, 4.0 * lstmParams});
            for (Map.Entry<String, double[]> e : models.entrySet()) {
                double c = e.getValue()[0], u = e.getValue()[1], bytes = e.getValue()[2];
                for (int p : new int[] {1, 2, 8, 32, 128}) {
                    double comm = bytes / BANDWIDTH * (Math.ceil(Math.log(p + 1) / Math.log(2)) + 2 * Math.ceil(Math.sqrt(p)));
                    double compute = c * Math.ceil(64.0 / p);
                    double t = compute + s0 + s1 * p + comm + u;
                    // parameter averaging every 10 steps: Adam's state (3x the weights) both ways once per 10 steps
                    double commAvg = 3 * bytes / BANDWIDTH * (Math.ceil(Math.log(p + 1) / Math.log(2)) + 2 * Math.ceil(Math.sqrt(p)));
                    double tAvg = compute + u + (s0 + s1 * p + commAvg) / 10;
                    out.printf(Locale.ROOT, "PROJECTED %s P=%d: sync %.3f s/step = %.2f steps/s, %.0f samples/s (compute %.3f, scheduling %.3f,"
                            + " transfer %.3f, update %.3f); averaging K=10: %.2f steps/s, %.0f samples/s%n", e.getKey(), p, t, 1 / t, 64 / t, compute,
                            s0 + s1 * p, comm, u, 1 / tAvg, 64 / tAvg);
                }
            }
        }
        System.out.println(Files.readString(outFile));
    }

    private static Measured find(List<Measured> ms, int executors, String mode) {
        return ms.stream().filter(m -> m.executors() == executors && m.mode().equals(mode)).findFirst().orElseThrow();
    }

}
