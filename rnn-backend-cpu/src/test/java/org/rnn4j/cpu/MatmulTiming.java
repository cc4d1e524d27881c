package org.rnn4j.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Not a unit test: a quick timing of the backend's matrix product against EJML's, run by hand with
 * {@code java -cp <test class path> org.rnn4j.cpu.MatmulTiming [M K N]} (default 2048 256 1024,
 * i.e. {@code [M,K] · [K,N]}). Prints the best of several runs in GFLOP/s, by wall time and, for the
 * single-threaded runs, by the thread's CPU time too (which a machine shared with other jobs
 * disturbs less).
 */
public final class MatmulTiming {
    private MatmulTiming() {
    }

    public static void main(String[] args) {
        int m = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        double flops = 2.0 * m * n * k;
        Random rnd = new Random(1);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        System.out.printf(Locale.ROOT, "[%d,%d] x [%d,%d], %d processors%n", m, k, k, n, Runtime.getRuntime().availableProcessors());

        CpuBackend one = new CpuBackend(new BackendOptions(1));
        CpuBackend all = new CpuBackend();
        Tensor ta1 = one.fromFloats(a, DType.FLOAT32, m, k);
        Tensor tb1 = one.fromFloats(b, DType.FLOAT32, k, n);
        Tensor taN = all.fromFloats(a, DType.FLOAT32, m, k);
        Tensor tbN = all.fromFloats(b, DType.FLOAT32, k, n);
        Tensor tbT = all.transpose(tbN);
        Tensor taT = all.transpose(taN);
        time("rnn4j cpu f32, 1 thread", flops, () -> one.matmul(ta1, tb1, false, false));
        timeParallel("rnn4j cpu f32, " + all.threads() + " threads", flops, () -> all.matmul(taN, tbN, false, false));
        timeParallel("rnn4j cpu f32, A^T, " + all.threads() + " threads", flops, () -> all.matmul(taT, tbN, true, false));
        timeParallel("rnn4j cpu f32, B^T, " + all.threads() + " threads", flops, () -> all.matmul(taN, tbT, false, true));

        FMatrixRMaj fa = FMatrixRMaj.wrap(m, k, a);
        FMatrixRMaj fb = FMatrixRMaj.wrap(k, n, b);
        FMatrixRMaj fc = new FMatrixRMaj(m, n);
        time("EJML CommonOps_FDRM.mult", flops, () -> CommonOps_FDRM.mult(fa, fb, fc));
        timeParallel("EJML CommonOps_MT_FDRM.mult", flops, () -> CommonOps_MT_FDRM.mult(fa, fb, fc));

        Tensor da = all.cast(taN, DType.FLOAT64);
        Tensor db = all.cast(tbN, DType.FLOAT64);
        Tensor da1 = one.cast(ta1, DType.FLOAT64);
        Tensor db1 = one.cast(tb1, DType.FLOAT64);
        time("rnn4j cpu f64, 1 thread", flops, () -> one.matmul(da1, db1, false, false));
        timeParallel("rnn4j cpu f64, " + all.threads() + " threads", flops, () -> all.matmul(da, db, false, false));
        DMatrixRMaj ea = DMatrixRMaj.wrap(m, k, da.toDoubleArray());
        DMatrixRMaj eb = DMatrixRMaj.wrap(k, n, db.toDoubleArray());
        DMatrixRMaj ec = new DMatrixRMaj(m, n);
        time("EJML CommonOps_DDRM.mult", flops, () -> CommonOps_DDRM.mult(ea, eb, ec));
    }

    /** Single-threaded: also reports GFLOP/s by the calling thread's CPU time. */
    private static void time(String what, double flops, Runnable r) {
        time(what, flops, r, true);
    }

    private static void timeParallel(String what, double flops, Runnable r) {
        time(what, flops, r, false);
    }

    private static void time(String what, double flops, Runnable r, boolean serial) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        long bestCpu = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 4_000_000_000L;
        for (int rep = 0; rep < 60 && (rep < 8 || System.nanoTime() < deadline); rep++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, System.nanoTime() - t0);
            bestCpu = Math.min(bestCpu, mx.getCurrentThreadCpuTime() - c0);
        }
        String cpu = serial ? String.format(Locale.ROOT, "   %7.2f GFLOP/s by CPU time", flops / bestCpu) : "";
        System.out.printf(Locale.ROOT, "%-36s %9.2f ms %7.2f GFLOP/s wall%s%n", what, best / 1e6, flops / best, cpu);
    }
}
