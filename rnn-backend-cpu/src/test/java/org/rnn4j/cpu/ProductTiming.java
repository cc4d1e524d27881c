package org.rnn4j.cpu;

import java.util.Locale;
import java.util.Random;

/**
 * Not a unit test: times one float32 product through {@link Gemm#multiply} as the backend runs it (2 threads, results
 * from an {@link ArrayPool}, B packed per call), 25 calls, the first 5 as warm-up. Run by hand:
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> org.rnn4j.cpu.ProductTiming M N K TRANS_A TRANS_B},
 * e.g. {@code 6400 4096 512 false true} for the big LSTM's input projection. Prints the best and the mean GFLOP/s.
 */
public final class ProductTiming {
    private ProductTiming() {
    }

    public static void main(String[] args) {
        int m = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        int k = Integer.parseInt(args[2]);
        boolean ta = Boolean.parseBoolean(args[3]);
        boolean tb = Boolean.parseBoolean(args[4]);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        Random r = new Random(1);
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextFloat();
        }
        Parallel par = new Parallel(2);
        ArrayPool pool = new ArrayPool(1L << 30);
        double best = 0;
        double sum = 0;
        for (int rep = 0; rep < 25; rep++) {
            long t0 = System.nanoTime();
            float[] c = (float[]) Gemm.multiply(a, b, m, n, k, ta, tb, null, par, pool);
            long t1 = System.nanoTime();
            pool.give(c);
            double gflops = 2.0 * m * n * k / (t1 - t0);
            if (rep >= 5) {
                best = Math.max(best, gflops);
                sum += gflops;
            }
        }
        System.out.printf(Locale.ROOT, "[%d,%d] x [%d,%d] (transA %s, transB %s), 2 threads: best %.1f, mean %.1f GFLOP/s (%s)%n", m, k, k, n, ta, tb,
                best, sum / 20, Gemm.engine());
        System.exit(0);
    }
}
