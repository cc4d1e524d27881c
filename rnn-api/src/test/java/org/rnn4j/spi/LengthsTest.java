package org.rnn4j.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link Lengths}: checked once when made, immutable, and the views the layer, masks and kernels use. */
class LengthsTest {

    private static void rejects(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void badLengthsAreRejectedNamingTheEntry() {
        rejects("lengths has 3 entries but the batch has 2 sequences", () -> Lengths.of(new int[] {1, 2, 3}, 2, 4));
        rejects("lengths[1] = 5 is outside [1, 4] (T = 4 steps)", () -> Lengths.of(new int[] {4, 5}, 2, 4));
        rejects("lengths[0] = 0 is outside [1, 4] (T = 4 steps)", () -> Lengths.of(new int[] {0, 1}, 4));
        rejects("lengths[0] = -3 is outside [1, 4] (T = 4 steps)", () -> Lengths.of(new int[] {-3}, 4));
        rejects("lengths is null; expected 2 lengths in [1, 4]", () -> Lengths.of(null, 2, 4));
        rejects("lengths must name at least one sequence", () -> Lengths.of(new int[0], 4));
        rejects("steps = 0, expected >= 1", () -> Lengths.of(new int[] {1}, 0));
        rejects("batch = 0, steps = 3; both must be >= 1", () -> Lengths.full(0, 3));
    }

    @Test
    void theLengthsAreCopiedAndTheViewsAgree() {
        int[] given = {3, 1, 4};
        Lengths l = Lengths.of(given, 3, 4);
        given[0] = 99;
        assertEquals(3, l.get(0));
        int[] copy = l.toArray();
        copy[1] = 77;
        assertEquals(1, l.get(1));
        assertEquals(3, l.batch());
        assertEquals(4, l.steps());
        assertEquals(4, l.maxLength());
        assertFalse(l.isFull());
        assertEquals(3, l.activeCount(0));
        assertEquals(2, l.activeCount(1));
        assertEquals(2, l.activeCount(2));
        assertEquals(1, l.activeCount(3));
        assertTrue(l.active(0, 2) && !l.active(0, 3) && !l.active(1, 1));
        assertArrayEquals(new double[] {1, 1, 0, 0, 1, 1}, l.stepMask(1, 2));
        assertArrayEquals(new double[] {1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1}, l.mask(1));
        Lengths full = Lengths.full(2, 3);
        assertTrue(full.isFull());
        assertEquals(Lengths.of(new int[] {3, 3}, 3), full);
        assertEquals(2, full.activeCount(2));
    }

    @Test
    void forShapeReturnsItselfOrChecksAgainstTheNewExtents() {
        Lengths l = Lengths.of(new int[] {2, 1}, 3);
        assertSame(l, l.forShape("k", 2, 3));
        Lengths shorter = l.forShape("k", 2, 2);
        assertNotSame(l, shorter);
        assertTrue(shorter.isFull() == false && shorter.steps() == 2);
        rejects("k: lengths[0] = 2 is outside [1, 1] (T = 1 steps)", () -> l.forShape("k", 2, 1));
        rejects("k: lengths has 2 entries but the batch has 3 sequences", () -> l.forShape("k", 3, 3));
    }
}
