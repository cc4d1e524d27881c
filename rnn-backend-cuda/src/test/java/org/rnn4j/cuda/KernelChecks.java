package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.backend.Backends;
import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * The CUDA backend's kernels against the cpu backend, on whichever device a subclass names (the emulator
 * here, the GPU where there is one): every fused cell and sequence kernel forward and backward (float64 to
 * 1e-12, float32 to 2e-5, odd sizes, both gemm paths, reversed and padded sequences, absent biases and
 * gradients), the matrix-product paths with strided and accumulated addends, and the memory bookkeeping.
 */
abstract class KernelChecks {
    CudaBackend emu;
    ComputeBackend cpu;

    /** The backend under test; skips (with the reason) where it is unavailable. */
    abstract CudaBackend backend();

    @BeforeEach
    void backends() {
        emu = backend();
        cpu = ComputeBackend.of(Backends.get("cpu"));
    }

    static double[] random(SplittableRandom rng, int n, double scale) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (rng.nextDouble() * 2 - 1) * scale;
        }
        return x;
    }

    /** One random input set, as host arrays, for a kernel of {@code cell}. */
    private record Case(KernelKind cell, boolean sequence, int batch, int steps, int hidden, boolean bhh, boolean bih, boolean reverse,
                        int[] lengths) {
        int g() {
            return cell.gates() * hidden;
        }

        KernelKind kind() {
            return sequence ? cell.sequenceKind() : cell;
        }

        @Override
        public String toString() {
            return kind().id() + " B" + batch + (sequence ? " T" + steps : "") + " H" + hidden
                    + (bhh ? "" : " no-b_hh") + (sequence && !bih ? " no-b_ih" : "") + (reverse ? " reverse" : "")
                    + (lengths == null ? "" : " lengths " + java.util.Arrays.toString(lengths));
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (KernelKind cell : new KernelKind[] {KernelKind.LSTM_CELL, KernelKind.GRU_CELL, KernelKind.RNN_TANH_CELL, KernelKind.RNN_RELU_CELL}) {
            out.add(Arguments.of(new Case(cell, false, 3, 1, 7, true, false, false, null)));
            out.add(Arguments.of(new Case(cell, false, 11, 1, 5, false, false, false, null)));            // tiled gemm path (B > 8)
            out.add(Arguments.of(new Case(cell, true, 3, 5, 7, true, true, false, null)));
            out.add(Arguments.of(new Case(cell, true, 2, 4, 5, false, true, true, null)));
            out.add(Arguments.of(new Case(cell, true, 3, 6, 5, true, false, false, new int[] {6, 2, 4})));
            out.add(Arguments.of(new Case(cell, true, 4, 5, 3, true, true, true, new int[] {1, 5, 3, 2})));
            out.add(Arguments.of(new Case(cell, true, 9, 3, 33, true, true, false, new int[] {3, 1, 2, 3, 3, 1, 2, 2, 3}))); // B > 8, H > 32
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fusedKernelsMatchTheCpuBackendForwardAndBackward(Case c) {
        for (DType dtype : DType.values()) {
            compare(c, dtype, dtype == DType.FLOAT64 ? 1e-12 : 2e-5);
        }
    }

    private void compare(Case c, DType dtype, double tol) {
        SplittableRandom rng = new SplittableRandom(c.toString().hashCode());
        int b = c.batch();
        int h = c.hidden();
        int g = c.g();
        boolean lstm = c.cell().hasCellState();
        int[] xShape = c.sequence() ? new int[] {b, c.steps(), g} : new int[] {b, g};
        double[] x = random(rng, b * (c.sequence() ? c.steps() : 1) * g, 1.0);
        double[] h0 = random(rng, b * h, 0.8);
        double[] c0 = random(rng, b * h, 0.8);
        double[] w = random(rng, g * h, 0.6);
        double[] bhh = random(rng, g, 0.3);
        double[] bih = random(rng, g, 0.3);
        FusedKernel.Result[] results = new FusedKernel.Result[2];
        ComputeBackend[] backends = {cpu, emu};
        for (int i = 0; i < 2; i++) {
            ComputeBackend be = backends[i];
            Tensor tx = be.fromDoubles(x, dtype, xShape);
            Tensor th = be.fromDoubles(h0, dtype, b, h);
            Tensor tc = lstm ? be.fromDoubles(c0, dtype, b, h) : null;
            Tensor tw = be.fromDoubles(w, dtype, g, h);
            Tensor tbhh = c.bhh() ? be.fromDoubles(bhh, dtype, g) : null;
            if (c.sequence()) {
                Tensor tbih = c.bih() ? be.fromDoubles(bih, dtype, g) : null;
                Lengths lengths = c.lengths() == null ? null : Lengths.of(c.lengths(), c.steps());
                results[i] = be.sequenceKernel(c.kind()).orElseThrow().apply(new SequenceArgs(tx, th, tc, tw, tbhh, tbih, c.reverse(), lengths));
            } else {
                results[i] = be.cellKernel(c.kind()).orElseThrow().apply(new CellArgs(tx, th, tc, tw, tbhh));
            }
        }
        Tensor[] ref = results[0].outputs();
        Tensor[] got = results[1].outputs();
        assertEquals(ref.length, got.length);
        for (int o = 0; o < ref.length; o++) {
            check(c + " " + dtype + " output " + o, ref[o], got[o], tol);
        }
        // backward with random gradients; the first output's gradient absent for sequences (only the final state flows back)
        for (boolean skipFirst : new boolean[] {false, true}) {
            SplittableRandom grng = new SplittableRandom(7 + (skipFirst ? 1 : 0));
            double[][] grads = new double[ref.length][];
            for (int o = 0; o < ref.length; o++) {
                grads[o] = skipFirst && o == 0 && ref.length > 1 ? null : random(grng, ref[o].size(), 1.0);
            }
            Tensor[][] gradsOf = new Tensor[2][];
            for (int i = 0; i < 2; i++) {
                Tensor[] gi = new Tensor[ref.length];
                for (int o = 0; o < ref.length; o++) {
                    gi[o] = grads[o] == null ? null : backends[i].fromDoubles(grads[o], dtype, ref[o].shape());
                }
                gradsOf[i] = results[i].backward(gi);
            }
            assertEquals(gradsOf[0].length, gradsOf[1].length, c + ": number of input gradients");
            for (int j = 0; j < gradsOf[0].length; j++) {
                String what = c + " " + dtype + (skipFirst ? " (no y gradient)" : "") + " gradient of input " + j;
                if (gradsOf[0][j] == null) {
                    assertNull(gradsOf[1][j], what + " should be null (absent input)");
                } else {
                    check(what, gradsOf[0][j], gradsOf[1][j], tol);
                }
            }
        }
    }

    private static void check(String what, Tensor expected, Tensor actual, double tol) {
        assertTrue(actual != null, what + " is null");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double err = Tensors.relativeError(a, e);
        assertTrue(err <= tol, () -> what + ": relative error " + err + " > " + tol);
    }

    @Test
    void productsCoverBothKernelsStridedAddendsAndAccumulation() {
        SplittableRandom rng = new SplittableRandom(3);
        for (DType dtype : DType.values()) {
            for (int[] mnk : new int[][] {{1, 1, 1}, {3, 70, 33}, {8, 9, 0}, {9, 65, 17}, {67, 5, 129}, {130, 66, 16}}) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        gemmCase(rng, dtype, mnk[0], mnk[1], mnk[2], ta, tb);
                    }
                }
            }
        }
    }

    /** C (inside a wider buffer) = op(A) op(B) + D, D a strided block of another buffer, then accumulated into C again. */
    void gemmCase(SplittableRandom rng, DType dtype, int m, int n, int k, boolean ta, boolean tb) {
        int lda = (ta ? m : k) + 3;
        int ldb = (tb ? k : n) + 2;
        int ldc = n + 5;
        int ldd = n + 4;
        double[] a = random(rng, (ta ? k : m) * lda, 1);
        double[] bb = random(rng, (tb ? n : k) * ldb, 1);
        double[] d = random(rng, m * ldd, 1);
        double[] c0 = random(rng, m * ldc, 1);
        if (dtype == DType.FLOAT32) {
            for (double[] arr : new double[][] {a, bb, d, c0}) {
                for (int i = 0; i < arr.length; i++) {
                    arr[i] = (float) arr[i];
                }
            }
        }
        CudaTensor ta1 = (CudaTensor) emu.fromDoubles(a, dtype, a.length);
        CudaTensor tb1 = (CudaTensor) emu.fromDoubles(bb, dtype, bb.length);
        CudaTensor td = (CudaTensor) emu.fromDoubles(d, dtype, d.length);
        CudaTensor tc = (CudaTensor) emu.fromDoubles(c0, dtype, c0.length);
        emu.gemm(dtype, m, n, k, ta1.address(), lda, ta, tb1.address(), ldb, tb, tc.address(), ldc, td.address(), ldd);
        emu.gemm(dtype, m, n, k, ta1.address(), lda, ta, tb1.address(), ldb, tb, tc.address(), ldc, tc.address(), ldc);
        double[] got = tc.toDoubleArray();
        double[] want = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) {
                    s += (ta ? a[q * lda + i] : a[i * lda + q]) * (tb ? bb[j * ldb + q] : bb[q * ldb + j]);
                }
                want[i * ldc + j] = 2 * s + d[i * ldd + j];
            }
        }
        double err = Tensors.relativeError(got, want);
        double tol = dtype == DType.FLOAT64 ? 1e-13 : 1e-5;
        String what = dtype + " gemm m" + m + " n" + n + " k" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "") + " -> " + Launch.gemm(m, n, Math.max(k, 0), 1, false).kernel();
        assertTrue(err <= tol, () -> what + ": relative error " + err + " (columns beyond n must stay untouched too)");
        for (CudaTensor t : new CudaTensor[] {ta1, tb1, td, tc}) {
            t.close();
        }
    }

    /** Collects until the garbage of earlier tests is back in the cache; returns the live bytes then. */
    private long settledLiveBytes() {
        long live = Long.MAX_VALUE;
        for (int i = 0; i < 50 && emu.memoryStats().liveBytes() < live; i++) {
            live = emu.memoryStats().liveBytes();
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            emu.trimMemory(false);
        }
        return emu.memoryStats().liveBytes();
    }

    @Test
    void closingEverythingReturnsTheLiveBytesAndTheDeviceAgreesWithTheAllocator() {
        long before = settledLiveBytes();
        SplittableRandom rng = new SplittableRandom(5);
        List<Tensor> made = new ArrayList<>();
        Tensor x = emu.fromDoubles(random(rng, 3 * 4 * 20, 1), DType.FLOAT32, 3, 4, 20);
        Tensor h0 = emu.zeros(DType.FLOAT32, 3, 5);
        Tensor c0 = emu.zeros(DType.FLOAT32, 3, 5);
        Tensor w = emu.fromDoubles(random(rng, 20 * 5, 1), DType.FLOAT32, 20, 5);
        made.addAll(List.of(x, h0, c0, w));
        FusedKernel.Result r = emu.sequenceKernel(KernelKind.LSTM_SEQUENCE).orElseThrow()
                .apply(new SequenceArgs(x, h0, c0, w, null, null, true, Lengths.of(new int[] {4, 2, 3}, 4)));
        made.addAll(List.of(r.outputs()));
        for (Tensor t : r.backward(emu.fromDoubles(random(rng, 60, 1), DType.FLOAT32, 3, 4, 5), null, null)) {
            if (t != null) {
                made.add(t);
            }
        }
        made.add(emu.matmul(w, w, true, false));
        made.add(emu.sum(w));
        made.add(emu.reshape(w, 100));
        assertTrue(emu.memoryStats().liveBytes() > before);
        made.forEach(Tensor::close);
        r = null;
        // the saved activations belong to the result, which only the garbage collector releases
        assertEquals(before, settledLiveBytes(), () -> "live bytes after closing everything: " + emu.memoryStats().summary());
        deviceHolds(emu.memoryStats().deviceBytes());
        emu.trimMemory(true);
        deviceHolds(emu.memoryStats().liveBytes());
        assertTrue(r == null);
    }

    /** Checks, where the device can tell, that it holds exactly {@code bytes} (what the allocator thinks it holds). */
    void deviceHolds(long bytes) {
    }

    @Test
    void aForwardOnlyRunHoldsNoDeviceMemoryBeyondItsOutputs() {
        SplittableRandom rng = new SplittableRandom(9);
        for (KernelKind kind : new KernelKind[] {KernelKind.LSTM_SEQUENCE, KernelKind.GRU_SEQUENCE, KernelKind.RNN_RELU_SEQUENCE}) {
            int g = kind.gates() * 6;
            Tensor x = emu.fromDoubles(random(rng, 2 * 4 * g, 1), DType.FLOAT32, 2, 4, g);
            Tensor h0 = emu.zeros(DType.FLOAT32, 2, 6);
            Tensor c0 = kind.hasCellState() ? emu.zeros(DType.FLOAT32, 2, 6) : null;
            Tensor w = emu.fromDoubles(random(rng, g * 6, 1), DType.FLOAT32, g, 6);
            Tensor gh = emu.zeros(DType.FLOAT32, 2, 6);
            Tensor gc = kind.hasCellState() ? emu.zeros(DType.FLOAT32, 2, 6) : null;
            long before = emu.memoryStats().liveBytes();
            FusedKernel.Result r = emu.sequenceKernel(kind).orElseThrow()
                    .apply(new SequenceArgs(x, h0, c0, w, null, null, false, Lengths.of(new int[] {4, 3}, 4), false));
            long outputs = 0;
            for (Tensor o : r.outputs()) {
                outputs += DeviceAllocator.roundUp((long) o.size() * o.dtype().bytes());
            }
            assertEquals(before + outputs, emu.memoryStats().liveBytes(), kind.id() + ": a forward-only run keeps only its outputs, at once");
            Tensor[] grads = kind.hasCellState() ? new Tensor[] {null, gh, gc} : new Tensor[] {null, gh};
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.backward(grads));
            assertTrue(e.getMessage().contains("forward only"), e.getMessage());
            for (Tensor o : r.outputs()) {
                o.close();
            }
            assertEquals(before, emu.memoryStats().liveBytes(), kind.id() + ": closing the outputs frees everything the run made");
        }
    }
}
