package org.rnn4j.nd4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backend;
import org.rnn4j.backend.Backends;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Long training must not grow off-heap memory without bound: many forward + backward + SGD steps of a
 * small LSTM, with ND4J's off-heap bytes (its own allocation accounting) and the process's resident
 * memory sampled after step 100 and after the last step; both must level off. Runs in a few seconds.
 */
class Nd4jMemorySoakTest {
    private static final int STEPS = 600;

    private static long settle() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50); // ND4J's deallocator threads free the collected buffers
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Nd4jDiagnostics.offHeapBytes();
    }

    @Test
    void offHeapMemoryLevelsOffOverManyTrainingSteps() {
        Backend b = Backends.get("nd4j");
        DType dt = DType.FLOAT32;
        int batch = 8;
        int steps = 12;
        Recurrent lstm = Recurrent.builder(Cells.lstm(), 16, 32).backend(b).dtype(dt).seed(1).build();
        Linear head = new Linear("head", 32, 4, true, b, dt, new SplittableRandom(2));
        SplittableRandom rng = new SplittableRandom(3);
        double[] x = new double[batch * steps * 16];
        double[] y = new double[batch * steps * 4];
        long offHeapAt100 = 0;
        long rssAt100 = 0;
        double firstLoss = 0;
        double lastLoss = 0;
        long t0 = System.nanoTime();
        for (int step = 1; step <= STEPS; step++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.nextDouble() * 2 - 1;
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = Math.sin(x[(i / 4) * 16 + i % 4]);
            }
            Var xv = Var.constant(b.fromDoubles(x, dt, batch, steps, 16));
            Tensor target = b.fromDoubles(y, dt, batch * steps, 4);
            Var h = lstm.forward(xv).output();
            Var pred = head.forward(F.reshape(h, batch * steps, 32));
            Var diff = F.sub(pred, Var.constant(target));
            Var loss = F.mean(F.mul(diff, diff));
            loss.backward();
            double l = loss.value().item();
            if (step == 1) {
                firstLoss = l;
            }
            lastLoss = l;
            for (Var p : lstm.parameters().values()) {
                p.set(b.addScaled(p.value(), p.grad(), -0.05));
                p.zeroGrad();
            }
            for (Var p : head.parameters().values()) {
                p.set(b.addScaled(p.value(), p.grad(), -0.05));
                p.zeroGrad();
            }
            if (step == 100) {
                offHeapAt100 = settle();
                rssAt100 = Pointer.physicalBytes();
            }
        }
        long offHeapEnd = settle();
        long rssEnd = Pointer.physicalBytes();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[nd4j soak] %d steps in %.1f s; loss %.4f -> %.4f; ND4J off-heap %.1f MB at step 100, %.1f MB at %d;"
                + " resident %.1f MB -> %.1f MB%n", STEPS, seconds, firstLoss, lastLoss, offHeapAt100 / 1048576.0, offHeapEnd / 1048576.0,
                STEPS, rssAt100 / 1048576.0, rssEnd / 1048576.0);
        assertTrue(lastLoss < firstLoss, "training did not reduce the loss: " + firstLoss + " -> " + lastLoss);
        // one step allocates a few MB of intermediates; 500 steps without release would be > 1 GB
        long allowance = 16L << 20;
        assertTrue(offHeapEnd <= offHeapAt100 + allowance, "ND4J off-heap memory grew from " + offHeapAt100 + " to " + offHeapEnd
                + " bytes over " + (STEPS - 100) + " steps");
        assertTrue(rssEnd <= rssAt100 + (96L << 20), "resident memory grew from " + rssAt100 + " to " + rssEnd + " bytes over "
                + (STEPS - 100) + " steps");
    }
}
