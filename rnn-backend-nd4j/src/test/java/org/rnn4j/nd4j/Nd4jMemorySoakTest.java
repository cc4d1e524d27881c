package org.rnn4j.nd4j;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Long training must not grow off-heap memory without bound: many forward + backward + SGD steps of a small
 * LSTM through rnn-api, sampling after step 100 and after the last step (each time after a collection, so
 * that ND4J's deallocator has freed the dead arrays):
 * <ul>
 *   <li>live native pointers (javacpp's count: every live ND4J array holds some), which would grow by
 *       thousands per step if arrays leaked;</li>
 *   <li>native resident memory (process resident size minus the committed Java heap and non-heap).</li>
 * </ul>
 * Also checks that {@link Nd4jMemory} forces collections once dead buffers exceed its threshold.
 */
class Nd4jMemorySoakTest {
    private static final int STEPS = 400;
    private final long savedThreshold = Nd4jMemory.gcThreshold();

    @AfterEach
    void restore() {
        Nd4jMemory.setGcThreshold(savedThreshold);
    }

    private static void settle() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100); // ND4J's deallocator threads free the collected buffers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long nativeResident() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        return Pointer.physicalBytes() - m.getHeapMemoryUsage().getCommitted() - m.getNonHeapMemoryUsage().getCommitted();
    }

    private static void sgd(Iterable<Var> params, ComputeBackend b) {
        for (Var p : params) {
            p.set(b.addScaled(p.value(), p.grad(), -0.05));
            p.zeroGrad();
        }
    }

    @Test
    void offHeapMemoryLevelsOffOverManyTrainingSteps() {
        ComputeBackend b = ComputeBackend.of(Backends.get("nd4j"));
        // a small threshold (4 MB), so that this short run exercises the forced collections too
        Nd4jMemory.setGcThreshold(4L << 20);
        long forcedBefore = Nd4jMemory.forcedCollections();
        DType dt = DType.FLOAT32;
        int batch = 8;
        int steps = 6;
        int in = 16;
        int hidden = 32;
        Recurrent lstm = Recurrent.builder(Cells.lstm(), in, hidden).backend(b).dtype(dt).seed(1).build();
        Linear head = new Linear(hidden, 4, true, b, dt, new SplittableRandom(2));
        SplittableRandom rng = new SplittableRandom(3);
        double[] x = new double[batch * steps * in];
        double[] y = new double[batch * steps * 4];
        long pointersAt100 = 0;
        long nativeAt100 = 0;
        double firstLoss = 0;
        double lastLoss = 0;
        long allocatedStart = Nd4jMemory.allocatedBytes();
        long t0 = System.nanoTime();
        for (int step = 1; step <= STEPS; step++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextDouble() * 2 - 1;
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.sin(x[(i / 4) * in + i % 4]);
            }
            Var xv = Var.constant(b.fromDoubles(x, dt, batch, steps, in));
            Tensor target = b.fromDoubles(y, dt, batch * steps, 4);
            Var h = lstm.forward(xv).output();
            Var pred = head.forward(F.reshape(h, batch * steps, hidden));
            Var diff = F.sub(pred, Var.constant(target));
            Var loss = F.mean(F.mul(diff, diff));
            loss.backward();
            double l = loss.value().item();
            if (step == 1) {
                firstLoss = l;
            }
            lastLoss = l;
            sgd(lstm.parameters().values(), b);
            sgd(head.parameters().values(), b);
            if (step == 100) {
                settle();
                pointersAt100 = Pointer.totalCount();
                nativeAt100 = nativeResident();
            }
        }
        settle();
        long pointersEnd = Pointer.totalCount();
        long nativeEnd = nativeResident();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double allocatedMb = (Nd4jMemory.allocatedBytes() - allocatedStart) / 1048576.0;
        long forced = Nd4jMemory.forcedCollections() - forcedBefore;
        System.out.printf("[nd4j soak] %d steps in %.1f s, %.0f MB of tensors allocated, %d forced collections; loss %.4f -> %.4f;"
                + " live native pointers %d at step 100, %d at %d; native resident %.1f MB -> %.1f MB%n", STEPS, seconds, allocatedMb,
                forced, firstLoss, lastLoss, pointersAt100, pointersEnd, STEPS, nativeAt100 / 1048576.0, nativeEnd / 1048576.0);
        assertTrue(lastLoss < firstLoss, "training did not reduce the loss: " + firstLoss + " -> " + lastLoss);
        assertTrue(allocatedMb > 4 * 4, "the run allocated only " + allocatedMb + " MB; too little to test anything");
        // a step creates thousands of arrays; a leak of even one array per step would add hundreds of pointers
        assertTrue(pointersEnd <= pointersAt100 + 200, "live native pointers grew from " + pointersAt100 + " to " + pointersEnd
                + " over " + (STEPS - 100) + " steps: arrays are not being released");
        assertTrue(nativeEnd <= nativeAt100 + (64L << 20), "native resident memory grew from " + nativeAt100 / 1048576 + " MB to "
                + nativeEnd / 1048576 + " MB over " + (STEPS - 100) + " steps");
        assertTrue(forced > 0, "no collection was forced although " + allocatedMb + " MB were allocated");
    }
}
