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
 * Prints the median and minimum wall time per step, the median CPU time of all the JVM's threads per step
 * (which other processes on a busy machine disturb less; it includes the JIT compiler's and the garbage
 * collector's threads), each setting's speed-up over the first by both, and the heap allocated per step.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "target/test-classes:target/classes:$(cat cp.txt)" org.rnn4j.cpu.CpuTiming \
 *     [ROUNDS [WORKLOAD,... [SETTING,...]]]
 * </pre>
 * {@code -Dthreads=N} sets the backend's thread count (default: all cores). Settings: {@code loops} (matrix products in the
 * plain loops), {@code vector} (on the vector API).
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

    /** CPU time so far of all live threads, in ns. */
    private static long cpuTime() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : mx.getAllThreadIds()) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    /** Heap bytes allocated so far by all live threads. */
    private static long allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
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
        CpuBackend b = new CpuBackend(new org.rnn4j.tensor.BackendOptions(Integer.getInteger("threads", 0)));
        System.out.printf(Locale.ROOT, "cpu backend %s, %d threads; %d rounds (after at least 2 warm-up rounds and 20 s)%n", b.version(), b.threads(), rounds);
        List<Runnable> steps = new ArrayList<>();
        for (String w : workloads) {
            steps.add(workload(b, w));
        }
        double[][][] ms = new double[workloads.size()][settings.size()][rounds];
        long[][] alloc = new long[workloads.size()][settings.size()];
        double[][][] cpu = new double[workloads.size()][settings.size()][rounds];
        // warm up for at least 2 rounds and 20 s: until C2 has compiled them, the vector-API kernels run boxed, about 100x slower,
        // and on a busy machine the compiler threads get little CPU time
        long warm0 = System.nanoTime();
        for (int round = 0; round < 2 || System.nanoTime() - warm0 < 20_000_000_000L; round++) {
            for (Runnable step : steps) {
                for (String setting : settings) {
                    SETTINGS.get(setting).run();
                    step.run();
                }
            }
        }
        for (int round = 0; round < rounds; round++) {
            for (int w = 0; w < workloads.size(); w++) {
                for (int s = 0; s < settings.size(); s++) {
                    SETTINGS.get(settings.get(s)).run();
                    long a0 = allocated();
                    long c0 = cpuTime();
                    long t0 = System.nanoTime();
                    steps.get(w).run();
                    ms[w][s][round] = (System.nanoTime() - t0) / 1e6;
                    cpu[w][s][round] = (cpuTime() - c0) / 1e6;
                    alloc[w][s] += allocated() - a0;
                }
            }
        }
        for (int w = 0; w < workloads.size(); w++) {
            double base = Double.NaN;
            double cbase = Double.NaN;
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-32s", workloads.get(w)));
            for (int s = 0; s < settings.size(); s++) {
                double[] v = ms[w][s].clone();
                Arrays.sort(v);
                double med = v[rounds / 2];
                double[] cv = cpu[w][s].clone();
                Arrays.sort(cv);
                double cmed = cv[rounds / 2];
                if (s == 0) {
                    base = med;
                    cbase = cmed;
                }
                line.append(String.format(Locale.ROOT, " | %s wall %.1f ms (min %.1f) x%.2f, cpu %.1f ms x%.2f, %.1f MB/step", settings.get(s), med, v[0],
                        base / med, cmed, cbase / cmed, alloc[w][s] / (double) rounds / 1048576));
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
