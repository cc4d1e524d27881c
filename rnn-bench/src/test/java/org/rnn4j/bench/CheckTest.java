package org.rnn4j.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CheckTest {
    private static final float[] REF = {1, 2, 3, 4};

    @Test
    void acceptsFloat32RoundingAndRejectsWrongOutputs() {
        Impl.Outputs ref = new Impl.Outputs(REF, Map.of());
        assertTrue(Check.compare(ref, new Impl.Outputs(new float[] {1, 2, 3, 4.00001f}, Map.of()), REF.length, 1e-4, 1e-3).ok());
        Check.Verdict bad = Check.compare(ref, new Impl.Outputs(new float[] {1, 2, 3, 4.1f}, Map.of()), REF.length, 1e-4, 1e-3);
        assertFalse(bad.ok());
        assertTrue(bad.detail().contains("output"), bad.detail());
        assertFalse(Check.compare(ref, new Impl.Outputs(new float[] {1, 2, 3}, Map.of()), REF.length, 1e-4, 1e-3).ok());
        assertFalse(Check.compare(ref, new Impl.Outputs(new float[] {1, 2, 3, Float.NaN}, Map.of()), REF.length, 1e-4, 1e-3).ok());
    }

    @Test
    void aReferenceOfTheFirstSequencesIsComparedWithTheOutputsPrefix() {
        Impl.Outputs ref = new Impl.Outputs(new float[] {1, 2}, Map.of());
        assertTrue(Check.compare(ref, new Impl.Outputs(new float[] {1, 2, 7, 8}, Map.of()), 4, 1e-4, 1e-3).ok());
        assertFalse(Check.compare(ref, new Impl.Outputs(new float[] {1, 3, 7, 8}, Map.of()), 4, 1e-4, 1e-3).ok());
        assertFalse(Check.compare(ref, new Impl.Outputs(new float[] {1, 2, 7}, Map.of()), 4, 1e-4, 1e-3).ok());
    }

    @Test
    void comparesEveryGradient() {
        Impl.Outputs ref = new Impl.Outputs(REF, Map.of("w", new float[] {1, 1}, "b", new float[] {2, 2}));
        assertTrue(Check.compare(ref, new Impl.Outputs(REF, Map.of("w", new float[] {1, 1}, "b", new float[] {2, 2})), REF.length, 1e-4, 1e-3).ok());
        Check.Verdict bad = Check.compare(ref, new Impl.Outputs(REF, Map.of("w", new float[] {1, 1}, "b", new float[] {2, -2})), REF.length, 1e-4, 1e-3);
        assertFalse(bad.ok());
        assertTrue(bad.detail().contains("grad b"), bad.detail());
        assertFalse(Check.compare(ref, new Impl.Outputs(REF, Map.of("w", new float[] {1, 1})), REF.length, 1e-4, 1e-3).ok());
    }
}
