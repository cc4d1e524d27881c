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
        float[] first = new float[8];
        float[] second = new float[8];
        pool.give(first);
        pool.give(second);
        assertEquals(32, pool.heldBytes(), "two arrays would exceed 40 bytes: one is left to the GC");
        assertSame(second, pool.floats(8), "the pool made room for the array given last");
        assertNotSame(first, pool.floats(8));
        ArrayPool small = new ArrayPool(16);
        small.give(new float[8]);
        assertEquals(0, small.heldBytes(), "an array larger than the cap is never kept");
        ArrayPool none = new ArrayPool(0);
        float[] a = new float[4];
        none.give(a);
        assertNotSame(a, none.floats(4));
        assertEquals(0, none.heldBytes());
        assertThrows(IllegalArgumentException.class, () -> new ArrayPool(-1));
    }

    @Test
    void aFullPoolDropsTheLengthTakenLongestAgo() {
        ArrayPool pool = new ArrayPool(48);
        float[] eight = new float[8];
        pool.give(eight);
        assertSame(eight, pool.floats(8)); // length 8 taken at tick 1
        pool.give(eight);
        float[] four = new float[4];
        pool.give(four);
        assertEquals(48, pool.heldBytes());
        assertSame(four, pool.floats(4)); // length 4 taken at tick 2: the more recent
        pool.give(four);
        float[] another = new float[4];
        pool.give(another); // 16 more bytes than the cap allows: length 8 goes
        assertEquals(32, pool.heldBytes());
        assertNotSame(eight, pool.floats(8), "the stalest length was dropped");
        assertSame(another, pool.floats(4));
        assertSame(four, pool.floats(4));
        ArrayPool mixed = new ArrayPool(48);
        double[] d = new double[4];
        mixed.give(d);
        assertSame(d, mixed.doubles(4));
        mixed.give(d); // doubles of length 4 taken at tick 1
        float[] f = new float[4];
        mixed.give(f);
        assertSame(f, mixed.floats(4));
        mixed.give(f); // floats of length 4 at tick 2
        mixed.give(new float[4]); // 16 more bytes than the cap allows: only the stale doubles go
        assertEquals(32, mixed.heldBytes());
        assertNotSame(d, mixed.doubles(4));
        assertEquals(32, mixed.heldBytes(), "both float arrays still pooled");
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
