package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * The memory a forward-only sequence run saves, not timed. Sizes of an lstm-infer workload: B = 64,
 * T = 100, H = 256, float32. Two measures:
 * <ul>
 * <li>heap bytes allocated by this thread ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes};
 * the backend runs on one thread so that every allocation is counted): deterministic. A training run
 * allocates, per step, the four gate activations, {@code tanh(c)}, the c and h entering the step, that is
 * {@code 7*T*B*H} floats a forward-only run does not. Both allocate {@code y [B, T, H]} and the per-step
 * {@code h W_hh^T} products of the matrix kernel (garbage after each step, {@code O(B*4H)} live at a time),
 * and, through a layer, the input projection {@code [B, T, 4H]}; so allocation alone does not show
 * {@code O(B*H)}.</li>
 * <li>heap retained by the result, after a full collection ({@code System.gc()}, used heap before and after
 * the call with its result kept): what a forward-only run holds is its outputs; a training run also
 * holds every step's activations (and, through a layer, the input projection). Generous margins.</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForwardOnlyMemoryTest {
    private static final int B = 64;
    private static final int T = 100;
    private static final int H = 256;
    private static final int I = 128;
    private static final long FLOAT = Float.BYTES;

    /** Array pool off (capacity 0): every array a call uses is allocated, so that the counts compare what each run needs. */
    private final CpuBackend be = new CpuBackend(new BackendOptions(1), 0);
    private final com.sun.management.ThreadMXBean threads = threadBean();

    private static com.sun.management.ThreadMXBean threadBean() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t ? t : null;
    }

    @AfterAll
    void close() {
        be.close();
    }

    /** What one run costs: heap bytes allocated by this thread, and heap bytes its result keeps alive. */
    private record Cost(long allocated, long retained) {
    }

    /**
     * Runs {@code run} once, counting the bytes this thread allocates meanwhile and the live heap (after a
     * full collection) before and after, with the result still referenced.
     */
    private Cost measure(Supplier<?> run) {
        Assumptions.assumeTrue(threads != null && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        long id = Thread.currentThread().getId();
        long liveBefore = live();
        long before = threads.getThreadAllocatedBytes(id);
        Object kept = run.get();
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        long retained = live() - liveBefore;
        Reference.reachabilityFence(kept);
        return new Cost(allocated, retained);
    }

    /** Heap in use after a full collection (the live set), in bytes. */
    private static long live() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    @Test
    void forwardOnlyKernelAllocatesNoPerStepActivations() {
        SplittableRandom rng = new SplittableRandom(7);
        DType dt = DType.FLOAT32;
        Tensor x = random(rng, dt, B, T, 4 * H);
        Tensor h0 = random(rng, dt, B, H);
        Tensor c0 = random(rng, dt, B, H);
        Tensor w = random(rng, dt, 4 * H, H);
        Tensor bhh = random(rng, dt, 4 * H);
        Tensor bih = random(rng, dt, 4 * H);
        var kernel = be.sequenceKernel(KernelKind.LSTM_SEQUENCE).orElseThrow();
        Supplier<?> train = () -> kernel.apply(new SequenceArgs(x, h0, c0, w, bhh, bih, false, null, true));
        Supplier<?> infer = () -> kernel.apply(new SequenceArgs(x, h0, c0, w, bhh, bih, false, null, false));
        infer.get(); // once first, so that class loading and lazily created state do not count
        Cost tr = measure(train);
        Cost fo = measure(infer);
        long training = tr.allocated();
        long inference = fo.allocated();
        long keptTraining = tr.retained();
        long keptInference = fo.retained();
        long y = (long) B * T * H * FLOAT;
        long activations = 7 * y; // i, f, g, o, tanh(c), c and h entering each step
        System.out.println("lstm_sequence B=" + B + " T=" + T + " H=" + H + " float32 (y is " + mb(y) + "): allocated by one call: training "
                + mb(training) + ", forward only " + mb(inference) + "; retained by its result: training " + mb(keptTraining)
                + ", forward only " + mb(keptInference));
        assertTrue(training - inference >= 0.9 * activations, () -> "forward only allocates " + mb(training - inference)
                + " less than training, expected about " + mb(activations) + " (the per-step activations)");
        assertTrue(keptInference < 0.3 * keptTraining, () -> "forward only retains " + mb(keptInference) + ", training " + mb(keptTraining));
        assertTrue(keptInference < 2 * y, () -> "forward only retains " + mb(keptInference) + ", expected y (" + mb(y) + ") and O(B*H)");
    }

    @Test
    void layerForwardUnderGradDisabledKeepsNoActivations() {
        SplittableRandom rng = new SplittableRandom(11);
        DType dt = DType.FLOAT32;
        Recurrent lstm = Recurrent.builder(Cells.lstm(), I, H).backend(be).dtype(dt).seed(3).build();
        Var x = Var.constant(random(rng, dt, B, T, I));
        Supplier<?> record = () -> lstm.forward(x);
        Supplier<?> plain = () -> {
            try (var off = Grad.disabled()) {
                return lstm.forward(x);
            }
        };
        plain.get(); // once first, so that class loading and lazily created state do not count
        Cost rec = measure(record);
        Cost dis = measure(plain);
        long recorded = rec.allocated();
        long disabled = dis.allocated();
        long keptRecorded = rec.retained();
        long keptDisabled = dis.retained();
        long y = (long) B * T * H * FLOAT;
        System.out.println("Recurrent lstm B=" + B + " T=" + T + " I=" + I + " H=" + H + " float32: allocated by forward: recorded "
                + mb(recorded) + ", Grad.disabled " + mb(disabled) + "; retained by its output: recorded " + mb(keptRecorded)
                + ", Grad.disabled " + mb(keptDisabled));
        assertTrue(recorded - disabled >= 0.9 * 7 * y, () -> "Grad.disabled allocates " + mb(recorded - disabled)
                + " less than recorded, expected about " + mb(7 * y));
        assertTrue(keptDisabled < 0.3 * keptRecorded, () -> "Grad.disabled retains " + mb(keptDisabled) + ", recorded " + mb(keptRecorded));
    }

    /**
     * A serving loop on a backend with its array pool: each forward under {@link Grad#disabled} closes the input
     * projection it made once the kernel has read it, and the caller closes the outputs, so that the next call takes
     * every array from the pool: a steady-state call allocates under 2% of the projection's bytes.
     */
    @Test
    void forwardOnlyLayerCallsInALoopReuseTheirArrays() {
        CpuBackend pooled = new CpuBackend(new BackendOptions(1), 1L << 28);
        try {
            SplittableRandom rng = new SplittableRandom(13);
            DType dt = DType.FLOAT32;
            Recurrent lstm = Recurrent.builder(Cells.lstm(), I, H).backend(pooled).dtype(dt).seed(3).build();
            Var x = Var.constant(TestSupport.uniform(pooled, rng, 0.5, dt, B, T, I));
            Supplier<?> serve = () -> {
                try (var off = Grad.disabled()) {
                    Recurrent.Output out = lstm.forward(x);
                    double total;
                    try (Tensor sum = org.rnn4j.spi.ComputeBackend.of(pooled).sum(out.output().value())) {
                        total = sum.item();
                    }
                    out.output().value().close();
                    out.finalState().forEach(v -> v.value().close());
                    return total;
                }
            };
            for (int i = 0; i < 3; i++) {
                serve.get();
            }
            long allocated = measure(serve).allocated();
            long projection = (long) B * T * 4 * H * FLOAT;
            System.out.println("Recurrent lstm B=" + B + " T=" + T + " H=" + H + " forward-only call in a loop, pooled: allocated " + mb(allocated)
                    + " (projection " + mb(projection) + ")");
            assertTrue(allocated < 0.02 * projection, () -> "a steady-state forward-only call allocated " + mb(allocated)
                    + "; expected its arrays from the pool (projection " + mb(projection) + ")");
        } finally {
            pooled.close();
        }
    }

    private Tensor random(SplittableRandom rng, DType dt, int... shape) {
        return TestSupport.uniform(be, rng, 0.5, dt, shape);
    }
}
