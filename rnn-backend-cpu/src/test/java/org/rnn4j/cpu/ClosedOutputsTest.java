package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rnn4j.spi.CellArgs;
import org.rnn4j.spi.FusedKernel;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Closing a fused kernel's output (or an input it reads back) before its backward pass: since closed
 * arrays are reused by later ops, the backward pass must either not depend on them (and give the same
 * gradients) or fail with "closed" — never read recycled values.
 */
class ClosedOutputsTest {
    private static final int B = 3;
    private static final int T = 4;
    private static final int H = 5;
    private final CpuBackend backend = new CpuBackend(BackendOptions.defaults(), 1 << 24);

    @AfterEach
    void close() {
        backend.close();
    }

    private Tensor random(Random rnd, DType dtype, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return backend.fromDoubles(TestSupport.random(rnd, n), dtype, shape);
    }

    private FusedKernel.Result elman(DType dtype) {
        Random rnd = new Random(8);
        SequenceArgs args = new SequenceArgs(random(rnd, dtype, B, T, H), random(rnd, dtype, B, H), null, random(rnd, dtype, H, H),
                random(rnd, dtype, H), null, false, Lengths.full(B, T), true);
        return backend.sequenceKernel(KernelKind.RNN_TANH_SEQUENCE).orElseThrow().apply(args);
    }

    /** float32 keeps its own copy of the last state: closing h_T (and recycling its array) changes no gradient. */
    @Test
    void aFloat32ElmanSequenceBackpropagatesAfterItsFinalStateWasClosed() {
        Tensor gy = random(new Random(9), DType.FLOAT32, B, T, H);
        Tensor[] expected = elman(DType.FLOAT32).backward(gy, null);
        FusedKernel.Result r = elman(DType.FLOAT32);
        Tensor hT = r.outputs()[1];
        float[] before = hT.toFloatArray();
        hT.close();
        for (int i = 0; i < 4; i++) {
            Tensor junk = backend.full(1e6, DType.FLOAT32, B, H); // takes the recycled array and overwrites it
            assertTrue(junk.size() == before.length);
        }
        Tensor[] got = r.backward(gy, null);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != null) {
                assertArrayEquals(expected[i].toDoubleArray(), got[i].toDoubleArray(), 0.0, "gradient " + i);
            }
        }
    }

    /** float64 reads y back in backward: closing y first fails as closed. */
    @Test
    void aFloat64ElmanSequenceRefusesBackwardAfterItsOutputWasClosed() {
        FusedKernel.Result r = elman(DType.FLOAT64);
        Tensor y = r.outputs()[0];
        Tensor gy = random(new Random(9), DType.FLOAT64, B, T, H);
        y.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.backward(gy, null));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    /** An LSTM cell step reads its input state back in backward: closing it first fails as closed. */
    @Test
    void anLstmCellRefusesBackwardAfterItsInputStateWasClosed() {
        Random rnd = new Random(10);
        Tensor c = random(rnd, DType.FLOAT64, B, H);
        CellArgs args = new CellArgs(random(rnd, DType.FLOAT64, B, 4 * H), random(rnd, DType.FLOAT64, B, H), c,
                random(rnd, DType.FLOAT64, 4 * H, H), null);
        FusedKernel.Result r = backend.cellKernel(KernelKind.LSTM_CELL).orElseThrow().apply(args);
        Tensor gh = random(rnd, DType.FLOAT64, B, H);
        c.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.backward(gh, null));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
