package org.rnn4j.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Not a unit test: times the backend's matrix product, run by hand with
 * {@code java [--add-modules jdk.incubator.vector] -cp <test class path> org.rnn4j.cpu.MatmulTiming [ROUNDS [THREADS [NAME-PART]]]}.
 * For the shapes the recurrent workloads use (and a 2048^3 square product), it times the vector
 * kernels and the plain loops (when the module is present) round-robin: each round runs every
 * alternative for at least 50 ms, so that a machine shared with other jobs disturbs all alike; prints
 * the median GFLOP/s over the rounds and each alternative's ratio to the plain loops. With one thread
 * the rate is by the thread's CPU time, which other processes disturb less than the wall clock. (EJML,
 * the earlier yardstick, ran at about a fifth of the plain loops and is no longer timed.)
 */
public final class MatmulTiming {
    private MatmulTiming() {
    }

    /** One product shape: {@code [m,k] · [k,n]}, B transposed when {@code tb}, B packed once ahead when {@code packed}. */
    record Shape(String name, int m, int k, int n, boolean tb, boolean packed) {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        String only = args.length > 2 ? args[2] : "";
        List<Shape> shapes = List.of(
                new Shape("square 2048", 2048, 2048, 2048, false, false),
                new Shape("LSTM step B64 H1024 (packed W^T)", 64, 1024, 4096, true, true),
                new Shape("LSTM step B32 H256 (packed W^T)", 32, 256, 1024, true, true),
                new Shape("LSTM step B1 H256 (packed W^T)", 1, 256, 1024, true, true),
                new Shape("input projection 6400x512 . W^T", 6400, 512, 4096, true, false),
                new Shape("weight grad dA^T . H (4096x6400 . 6400x1024)", 4096, 6400, 1024, false, false));
        Parallel par = new Parallel(threads);
        System.out.printf(Locale.ROOT, "%d threads (%s), %s; median of %d rounds%n", par.threads(),
                threads == 1 ? "GFLOP/s by CPU time" : "GFLOP/s by wall time", Gemm.engine(), rounds);
        for (Shape s : shapes) {
            if (!s.name().contains(only)) {
                continue;
            }
            for (boolean f64 : new boolean[] {false, true}) {
                if (f64 && (s.m() == 2048 || s.m() == 6400)) {
                    continue;
                }
                timeShape(s, f64, par, rounds);
            }
        }
    }

    private static void timeShape(Shape s, boolean f64, Parallel par, int rounds) {
        Random rnd = new Random(1);
        int m = s.m();
        int k = s.k();
        int n = s.n();
        Object a = fill(rnd, m * k, f64);
        Object b = fill(rnd, k * n, f64);
        double flops = 2.0 * m * n * k;
        Map<String, Runnable> alts = new LinkedHashMap<>();
        boolean vector = Gemm.vectorAvailable();
        alts.put("loops", () -> run(s, a, b, par, false));
        if (vector) {
            alts.put("vector", () -> run(s, a, b, par, true));
        }
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        alts.keySet().forEach(key -> ms.put(key, new ArrayList<>()));
        for (Runnable r : alts.values()) {
            // warm up for a second: the vector kernels run boxed, about 100x slower, until C2 has compiled them
            long w0 = System.nanoTime();
            do {
                r.run();
            } while (System.nanoTime() - w0 < 1_000_000_000L);
        }
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Runnable> e : alts.entrySet()) {
                long t0 = System.nanoTime();
                long c0 = CPU.getCurrentThreadCpuTime();
                int reps = 0;
                do {
                    e.getValue().run();
                    reps++;
                } while (System.nanoTime() - t0 < 50_000_000L);
                long spent = par.threads() == 1 ? CPU.getCurrentThreadCpuTime() - c0 : System.nanoTime() - t0;
                ms.get(e.getKey()).add(spent / 1e6 / reps);
            }
        }
        double base = median(ms.get("loops"));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-46s %s", s.name(), f64 ? "f64" : "f32"));
        for (Map.Entry<String, List<Double>> e : ms.entrySet()) {
            double med = median(e.getValue());
            line.append(String.format(Locale.ROOT, " | %s %.3f ms %.1f GFLOP/s (x%.2f)", e.getKey(), med, flops / med / 1e6, base / med));
        }
        System.out.println(line);
        Gemm.useVector(true);
    }

    private static void run(Shape s, Object a, Object b, Parallel par, boolean vector) {
        Gemm.useVector(vector);
        if (s.packed()) {
            // the sequence kernels pack the recurrent weight once per sequence; time the per-step product
            Gemm.Packed<?> p = PACKED.computeIfAbsent(List.of(s, vector, b.getClass()), key -> Gemm.pack(b, s.n(), s.k(), s.tb(), par));
            Gemm.multiplyPacked(a, s.m(), false, p, null, par);
        } else {
            Gemm.multiply(a, b, s.m(), s.n(), s.k(), false, s.tb(), null, par);
        }
    }

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private static final Map<List<Object>, Gemm.Packed<?>> PACKED = new java.util.HashMap<>();

    private static Object fill(Random rnd, int size, boolean f64) {
        if (f64) {
            double[] d = new double[size];
            for (int i = 0; i < size; i++) {
                d[i] = rnd.nextDouble() - 0.5;
            }
            return d;
        }
        float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            f[i] = rnd.nextFloat() - 0.5f;
        }
        return f;
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
