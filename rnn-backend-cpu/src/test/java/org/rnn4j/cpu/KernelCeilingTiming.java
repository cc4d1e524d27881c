package org.rnn4j.cpu;

import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Not a unit test: where the float32 matrix product's time goes on one core, run by hand with
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> org.rnn4j.cpu.KernelCeilingTiming}. Prints, in
 * GFLOP/s of one thread: a loop of 16 independent vector fused multiply-adds (the core's peak as the JIT compiles it);
 * {@link VectorGemm}'s 8-row micro-kernel on one packed block of A and of B that stay in L1; the same over the strips
 * of a {@code 128 x 256} block of A (in L2); and over 64 panels of B (2 MiB) as well, as a product runs them.
 */
public final class KernelCeilingTiming {
    private KernelCeilingTiming() {
    }

    public static void main(String[] args) {
        int kc = VectorGemm.KC;
        int nr = VectorGemm.FNR;
        int mc = 128;
        int panels = 64;
        int ldc = panels * nr;
        float[] pa = new float[mc * kc];
        float[] pb = new float[panels * nr * kc];
        float[] c = new float[mc * ldc];
        for (int i = 0; i < pa.length; i++) {
            pa[i] = 1e-3f * (i % 7);
        }
        for (int i = 0; i < pb.length; i++) {
            pb[i] = 1e-3f * (i % 5);
        }
        double flops = 2.0 * mc * panels * nr * kc;
        for (int round = 0; round < 8; round++) {
            long t0 = System.nanoTime();
            float peak = peakLoop(20_000_000);
            long t1 = System.nanoTime();
            double[] rate = new double[3];
            for (int v = 0; v < 3; v++) {
                long s = System.nanoTime();
                for (int rep = 0; rep < 10; rep++) {
                    for (int jp = 0; jp < panels; jp++) {
                        for (int i = 0; i < mc; i += VectorGemm.MR) {
                            int ao = v == 0 ? 0 : i * kc;
                            int bo = v < 2 ? 0 : jp * nr * kc;
                            VectorGemm.F32.kernel(VectorGemm.MR, pa, ao, pb, bo, kc, c, i * ldc + jp * nr, ldc, true);
                        }
                    }
                }
                rate[v] = 10 * flops / (System.nanoTime() - s);
            }
            System.out.printf(Locale.ROOT, "peak %.1f  kernel, A and B in L1 %.1f  A from L2 %.1f  A and B from L2 %.1f GFLOP/s (%s)%n",
                    20e6 * 16 * 2 * VectorGemm.FL / (t1 - t0), rate[0], rate[1], rate[2], peak > 0 ? "ok" : "?");
        }
    }

    /** 16 independent chains of fused multiply-adds, {@code iters} times. */
    private static float peakLoop(int iters) {
        FloatVector a = FloatVector.broadcast(VectorGemm.FS, 1.0000001f);
        FloatVector b = FloatVector.broadcast(VectorGemm.FS, 0.9999999f);
        FloatVector c0 = FloatVector.zero(VectorGemm.FS);
        FloatVector c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        FloatVector c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
        for (int i = 0; i < iters; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
            c12 = a.fma(b, c12);
            c13 = a.fma(b, c13);
            c14 = a.fma(b, c14);
            c15 = a.fma(b, c15);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14)
                .add(c15).reduceLanes(VectorOperators.ADD);
    }
}
