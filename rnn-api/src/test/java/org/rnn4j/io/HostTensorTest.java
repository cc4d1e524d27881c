package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.testing.RefBackend;

class HostTensorTest {

    @Test
    void factoriesValidateLengthAgainstShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostTensor.ofDoubles(new double[5], 2, 3));
        assertTrue(e.getMessage().contains("5") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HostTensor.ofFloats(new float[0], -1, 0));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        assertEquals(0, HostTensor.ofLongs(new long[0], 3, 0).size());
        HostTensor scalar = HostTensor.ofInts(new int[] {7});
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.size());
        assertEquals(4, scalar.byteSize());
    }

    @Test
    void factoriesCopyAndAccessorsReturnFreshArrays() {
        double[] d = {1, 2, 3};
        int[] shape = {3};
        HostTensor t = HostTensor.ofDoubles(d, shape);
        d[0] = 99;
        shape[0] = 1;
        assertArrayEquals(new double[] {1, 2, 3}, t.asDoubles());
        assertArrayEquals(new int[] {3}, t.shape());
        t.asDoubles()[1] = 42;
        t.shape()[0] = 5;
        assertArrayEquals(new double[] {1, 2, 3}, t.asDoubles());
        assertArrayEquals(new int[] {3}, t.shape());
    }

    @Test
    void conversions() {
        HostTensor f = HostTensor.ofFloats(new float[] {1.5f, -2f}, 2);
        assertArrayEquals(new double[] {1.5, -2}, f.asDoubles());
        HostTensor l = HostTensor.ofLongs(new long[] {3, -4, 5}, 3);
        assertArrayEquals(new double[] {3, -4, 5}, l.asDoubles());
        assertArrayEquals(new float[] {3, -4, 5}, l.asFloats());
        assertArrayEquals(new int[] {3, -4, 5}, l.asInts());
        assertArrayEquals(new long[] {3, -4, 5}, HostTensor.ofInts(new int[] {3, -4, 5}, 3).asLongs());
        assertArrayEquals(new float[] {0.1f}, HostTensor.ofDoubles(new double[] {0.1}, 1).asFloats());
    }

    @Test
    void integerAccessorsRefuseFloatsAndCheckNarrowing() {
        HostTensor f = HostTensor.ofFloats(new float[] {1}, 1);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class, f::asLongs);
        assertTrue(u.getMessage().contains("F32") && u.getMessage().contains("asDoubles"), u.getMessage());
        assertThrows(UnsupportedOperationException.class, f::asInts);
        HostTensor big = HostTensor.ofLongs(new long[] {1, 3_000_000_000L}, 2);
        ArithmeticException a = assertThrows(ArithmeticException.class, big::asInts);
        assertTrue(a.getMessage().contains("element 1") && a.getMessage().contains("3000000000"), a.getMessage());
    }

    @Test
    void storedTypeToDType() {
        assertEquals(DType.FLOAT32, StoredType.F32.toDType());
        assertEquals(DType.FLOAT64, StoredType.F64.toDType());
        assertEquals(StoredType.F32, StoredType.of(DType.FLOAT32));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, StoredType.I64::toDType);
        assertTrue(e.getMessage().contains("I64") && e.getMessage().contains("asLongs"), e.getMessage());
        assertThrows(UnsupportedOperationException.class, StoredType.I32::toDType);
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> StoredType.fromSafetensorsName("F8_E4M3"));
        assertTrue(n.getMessage().contains("F8_E4M3") && n.getMessage().contains("F32"), n.getMessage());
    }

    @Test
    void halfPrecisionWidensExactly() {
        assertEquals(1.0f, HostTensor.halfToFloat((short) 0x3C00));
        assertEquals(-2.0f, HostTensor.halfToFloat((short) 0xC000));
        assertEquals(65504f, HostTensor.halfToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, HostTensor.halfToFloat((short) 0x0001));
        assertEquals(Float.POSITIVE_INFINITY, HostTensor.halfToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(HostTensor.halfToFloat((short) 0x7E00)));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(HostTensor.halfToFloat((short) 0x8000)));
    }

    @Test
    void equalityAndToString() {
        HostTensor a = HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2);
        assertEquals(a, HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2));
        assertEquals(a.hashCode(), HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2).hashCode());
        assertNotEquals(a, HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 4));
        assertNotEquals(a, HostTensor.ofDoubles(new double[] {1, 2, 3, 4}, 2, 2));
        assertEquals("HostTensor[F32 [2, 2]]", a.toString());
    }

    /** The one conversion to a backend tensor: F64 to FLOAT32 rounds as a Java cast does; integers and shapes carry over. */
    @Test
    void toTensorConvertsToTheBackendDType() {
        RefBackend b = RefBackend.INSTANCE;
        double[] d = {0.1, -1e-40, 3.0000001, 1e39};
        Tensor f32 = HostTensor.ofDoubles(d, 2, 2).toTensor(b, DType.FLOAT32);
        assertArrayEquals(new int[] {2, 2}, f32.shape());
        assertEquals(DType.FLOAT32, f32.dtype());
        for (int i = 0; i < d.length; i++) {
            assertEquals((float) d[i], f32.toFloatArray()[i]);
        }
        assertArrayEquals(d, HostTensor.ofDoubles(d, 4).toTensor(b, DType.FLOAT64).toDoubleArray());
        assertArrayEquals(new double[] {-3, 1L << 40}, HostTensor.ofLongs(new long[] {-3, 1L << 40}, 2).toTensor(b, DType.FLOAT64).toDoubleArray());
        float[] f = {1.5f, Float.MIN_VALUE};
        assertArrayEquals(f, HostTensor.ofFloats(f, 2).toTensor(b, DType.FLOAT32).toFloatArray());
        assertEquals(0, HostTensor.ofFloats(new float[] {2}).toTensor(b, DType.FLOAT64).rank());
    }

    @Test
    void nonFiniteElementsAreCountedAndLocated() {
        HostTensor t = HostTensor.ofFloats(new float[] {1, Float.NaN, 2, Float.NEGATIVE_INFINITY}, 4);
        assertEquals(1, t.firstNonFinite());
        assertEquals(2, t.nonFiniteCount());
        assertEquals(-1, HostTensor.ofDoubles(new double[] {1, 2}, 2).firstNonFinite());
        assertEquals(0, HostTensor.ofDoubles(new double[] {Double.POSITIVE_INFINITY}, 1).firstNonFinite());
        assertEquals(0, HostTensor.ofLongs(new long[] {Long.MAX_VALUE}, 1).nonFiniteCount());
        assertEquals(-1, HostTensor.ofDoubles(new double[0], 0).firstNonFinite());
    }
}
