package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/** The cpu backend's array pool and the reference counts of tensors that share an array. */
class ArrayPoolTest {
    private final CpuBackend backend = new CpuBackend(BackendOptions.defaults(), 1 << 24);

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void aGivenArrayIsTakenBackByExactLengthAndZeroedOnRequest() {
        ArrayPool pool = new ArrayPool(1 << 20);
        float[] a = new float[10];
        a[3] = 7f;
        pool.give(a);
        assertEquals(40, pool.heldBytes());
        assertNotSame(a, pool.floats(11), "another length must not take it");
        float[] z = pool.zeroFloats(10);
        assertSame(a, z);
        assertArrayEquals(new float[10], z);
        assertEquals(0, pool.heldBytes());
        double[] d = {1, 2, 3};
        pool.give(d);
        assertNotSame(d, pool.floats(3), "float and double arrays are kept apart");
        assertSame(d, pool.doubles(3));
    }

    @Test
    void theCapacityBoundsWhatIsKept() {
        ArrayPool pool = new ArrayPool(40);
        pool.give(new float[8]);
        pool.give(new float[8]);
        assertEquals(32, pool.heldBytes(), "the second array would exceed 40 bytes: left to the GC");
        ArrayPool none = new ArrayPool(0);
        float[] a = new float[4];
        none.give(a);
        assertNotSame(a, none.floats(4));
        assertEquals(0, none.heldBytes());
        assertThrows(IllegalArgumentException.class, () -> new ArrayPool(-1));
    }

    @Test
    void givingOneArrayTwiceFails() {
        ArrayPool pool = new ArrayPool(1 << 20);
        float[] a = new float[5];
        pool.give(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.give(a));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void aRecycledArrayIsNeverVisibleThroughALiveView() {
        Random rnd = new Random(3);
        double[] values = TestSupport.random(rnd, 24);
        Tensor t = backend.fromDoubles(values, DType.FLOAT32, 4, 6);
        Tensor view = backend.reshape(t, 2, 12);
        Object array = CpuBackend.data(view);
        assertSame(array, CpuBackend.data(t), "reshape shares the array");
        t.close();
        assertTrue(t.isClosed());
        assertThrows(IllegalStateException.class, () -> CpuBackend.data(t));
        // ops of the same size while the view lives: none may get its array
        Tensor ones = backend.full(1.0, DType.FLOAT32, 2, 12);
        List<Tensor> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Tensor r = backend.add(view, ones);
            assertNotSame(array, CpuBackend.data(r));
            results.add(r);
            if (i % 2 == 0) {
                r.close(); // feed the pool with arrays of this size, so that a wrong reuse would show
            }
        }
        TestSupport.assertClose(TestSupport.asStored(values, DType.FLOAT32), new int[] {2, 12}, view, 0);
        for (Tensor r : results) {
            if (!r.isClosed()) {
                TestSupport.assertClose(plusOne(TestSupport.asStored(values, DType.FLOAT32)), new int[] {2, 12}, r, 1e-6);
            }
        }
        // the last tensor on the array closes: the array goes to the pool, and the next op of that size reuses it
        for (Tensor r : results) {
            r.close();
        }
        long held = backend.pooledBytes();
        view.close();
        view.close(); // idempotent: counted once
        assertEquals(held + 24 * 4, backend.pooledBytes());
        boolean reused = false;
        for (int i = 0; i < 12 && !reused; i++) {
            reused = CpuBackend.data(backend.add(ones, ones)) == array;
        }
        assertTrue(reused, "the freed array must come back out of the pool");
    }

    @Test
    void aTensorNeverClosedKeepsItsArray() {
        Tensor t = backend.fromDoubles(new double[] {1, 2, 3}, DType.FLOAT64, 3);
        Object array = CpuBackend.data(t);
        Tensor view = backend.reshape(t, 1, 3);
        view.close();
        for (int i = 0; i < 5; i++) {
            assertNotSame(array, CpuBackend.data(backend.scale(t, 2)));
        }
        assertArrayEquals(new double[] {1, 2, 3}, t.toDoubleArray());
    }

    @Test
    void hostCopiesAreNeverPooledArrays() {
        Tensor t = backend.fromDoubles(new double[] {1, 2}, DType.FLOAT32, 2);
        float[] copy = t.toFloatArray();
        assertNotSame(CpuBackend.data(t), copy);
        t.close();
        copy[0] = 42f; // the caller's array: writing it cannot reach a pooled one
        Tensor u = backend.fromDoubles(new double[] {5, 6}, DType.FLOAT32, 2);
        assertArrayEquals(new float[] {5, 6}, u.toFloatArray());
    }

    private static double[] plusOne(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) (v[i] + 1);
        }
        return r;
    }
}
