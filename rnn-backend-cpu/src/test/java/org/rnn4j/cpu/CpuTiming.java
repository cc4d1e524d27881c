package org.rnn4j.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.Losses;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Not a unit test: times rnn-bench's workloads ({@code {rnn|lstm|gru}-{train|infer}-bB-tT-iI-hH}: a
 * training step of forward, MSE loss, backward and SGD, or a forward pass) on the cpu backend in
 * float32, under alternative settings that can be switched within one JVM, round-robin: each round
 * runs every (workload, setting) pair once, so that load from other processes falls on all alike.
 * Prints the median and minimum ms per step and each setting's speed-up over the first.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "target/test-classes:target/classes:$(cat cp.txt)" org.rnn4j.cpu.CpuTiming \
 *     [ROUNDS [WORKLOAD,... [SETTING,...]]]
 * </pre>
 * Settings: {@code loops} (matrix products in the plain loops), {@code vector} (on the vector API).
 */
public final class CpuTiming {
    private CpuTiming() {
    }

    private static final Pattern NAME = Pattern.compile("(rnn|lstm|gru)-(train|infer)-b(\\d+)-t(\\d+)-i(\\d+)-h(\\d+)");

    /** Switches a setting on for the steps that follow. */
    private static final Map<String, Runnable> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("loops", () -> Gemm.useVector(false));
        SETTINGS.put("vector", () -> Gemm.useVector(true));
    }

    private static Tensor random(CpuBackend b, long seed, int... shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return b.fromFloats(x, DType.FLOAT32, shape);
    }

    /** One step of the workload {@code name}, ready to run. */
    static Runnable workload(CpuBackend b, String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("workload '" + name + "': expected {rnn|lstm|gru}-{train|infer}-bB-tT-iI-hH");
        }
        Cell cell = switch (m.group(1)) {
            case "rnn" -> Cells.rnnTanh();
            case "lstm" -> Cells.lstm();
            default -> Cells.gru();
        };
        boolean train = m.group(2).equals("train");
        int batch = Integer.parseInt(m.group(3));
        int steps = Integer.parseInt(m.group(4));
        int input = Integer.parseInt(m.group(5));
        int hidden = Integer.parseInt(m.group(6));
        Recurrent layer = Recurrent.builder(cell, input, hidden).backend(b).dtype(DType.FLOAT32).seed(1).build();
        Var x = Var.constant(random(b, 2, batch, steps, input));
        if (!train) {
            return () -> {
                try (var off = Grad.disabled()) {
                    layer.forward(x).output().value().toFloatArray();
                }
            };
        }
        Var target = Var.constant(random(b, 3, batch, steps, hidden));
        SGD sgd = SGD.builder(layer.parameters().values()).lr(1e-3).build();
        return () -> {
            sgd.zeroGrad();
            Losses.mse(layer.forward(x).output(), target).backward();
            sgd.step();
        };
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<String> workloads = args.length > 1 ? List.of(args[1].split(","))
                : List.of("rnn-train-b32-t64-i128-h256", "lstm-train-b32-t64-i128-h256", "gru-train-b32-t64-i128-h256", "lstm-infer-b1-t256-i128-h256");
        List<String> settings = args.length > 2 ? List.of(args[2].split(",")) : new ArrayList<>(SETTINGS.keySet());
        for (String s : settings) {
            if (!SETTINGS.containsKey(s)) {
                throw new IllegalArgumentException("setting '" + s + "': expected one of " + SETTINGS.keySet());
            }
        }
        CpuBackend b = new CpuBackend();
        System.out.printf(Locale.ROOT, "cpu backend %s, %d threads; %d rounds (after 2 warm-up rounds)%n", b.version(), b.threads(), rounds);
        List<Runnable> steps = new ArrayList<>();
        for (String w : workloads) {
            steps.add(workload(b, w));
        }
        double[][][] ms = new double[workloads.size()][settings.size()][rounds];
        for (int round = -2; round < rounds; round++) {
            for (int w = 0; w < workloads.size(); w++) {
                for (int s = 0; s < settings.size(); s++) {
                    SETTINGS.get(settings.get(s)).run();
                    long t0 = System.nanoTime();
                    steps.get(w).run();
                    if (round >= 0) {
                        ms[w][s][round] = (System.nanoTime() - t0) / 1e6;
                    }
                }
            }
        }
        for (int w = 0; w < workloads.size(); w++) {
            double base = Double.NaN;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-32s", workloads.get(w)));
            for (int s = 0; s < settings.size(); s++) {
                double[] v = ms[w][s].clone();
                Arrays.sort(v);
                double med = v[rounds / 2];
                if (s == 0) {
                    base = med;
                }
                line.append(String.format(Locale.ROOT, " | %s median %.1f ms (min %.1f) x%.2f", settings.get(s), med, v[0], base / med));
            }
            System.out.println(line);
        }
        try {
            System.out.println("load average: " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        } catch (java.io.IOException e) {
            // not Linux
        }
    }
}
