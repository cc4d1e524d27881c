package org.rnn4j.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointCompatibilityTest {
    @TempDir
    Path dir;

    private static Map<String, int[]> expected() {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("weight_ih_l0", new int[] {16, 3});
        m.put("weight_hh_l0", new int[] {16, 4});
        m.put("bias_hh_l1", new int[] {4});
        return m;
    }

    private static Map<String, HostTensor> loaded() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("weight_ih_l0", HostTensor.ofFloats(new float[48], 16, 3));
        m.put("weight_hh_l0", HostTensor.ofFloats(new float[64], 16, 4));
        m.put("bias_hh_l1", HostTensor.ofFloats(new float[4], 4));
        return m;
    }

    @Test
    void matchingCheckpointPasses() {
        assertDoesNotThrow(() -> CheckpointCompatibility.check("ck", loaded(), expected(), Map.of("weight_ih_l0", StoredType.F32)));
        assertDoesNotThrow(() -> CheckpointCompatibility.check("ck", loaded(), expected(), null, true));
    }

    @Test
    void missingTensor() {
        Map<String, HostTensor> l = loaded();
        l.remove("bias_hh_l1");
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                () -> CheckpointCompatibility.check("X", l, expected(), null));
        assertEquals("checkpoint X lacks tensor 'bias_hh_l1' [4] expected by the model", e.getMessage());
        assertEquals(List.of("bias_hh_l1"), e.missing());
        assertEquals("X", e.file());
    }

    @Test
    void wrongShapeNamesBothShapes() {
        Map<String, HostTensor> l = loaded();
        l.put("weight_ih_l0", HostTensor.ofFloats(new float[12], 4, 3));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                () -> CheckpointCompatibility.check("X", l, expected(), null));
        assertEquals("checkpoint X: tensor 'weight_ih_l0' has shape [4, 3] but the model expects [16, 3]", e.getMessage());
        assertEquals(List.of("weight_ih_l0"), e.mismatched());
    }

    @Test
    void wrongTypeNamesBothTypes() {
        Map<String, HostTensor> l = loaded();
        l.put("bias_hh_l1", HostTensor.ofDoubles(new double[4], 4));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                () -> CheckpointCompatibility.check("X", l, expected(), Map.of("bias_hh_l1", StoredType.F32)));
        assertEquals("checkpoint X: tensor 'bias_hh_l1' is stored as F64 but the model expects F32", e.getMessage());
        // no expected type: any type is accepted (the caller converts)
        assertDoesNotThrow(() -> CheckpointCompatibility.check("X", l, expected(), Map.of()));
    }

    @Test
    void extraTensorsOnlyInStrictMode() {
        Map<String, HostTensor> l = loaded();
        l.put("grad.x", HostTensor.ofDoubles(new double[3], 1, 1, 3));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                () -> CheckpointCompatibility.check("X", l, expected(), null, true));
        assertTrue(e.getMessage().contains("'grad.x' [1, 1, 3] (F64) that the model does not expect"), e.getMessage());
        assertTrue(e.getMessage().contains("strict=false"), e.getMessage());
        assertEquals(List.of("grad.x"), e.unexpected());
        assertDoesNotThrow(() -> CheckpointCompatibility.check("X", l, expected(), null, false));
    }

    @Test
    void everyProblemIsListed() {
        Map<String, HostTensor> l = new LinkedHashMap<>();
        l.put("model.weight_ih_l0", HostTensor.ofFloats(new float[48], 16, 3));
        l.put("weight_hh_l0", HostTensor.ofLongs(new long[64], 4, 16));
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                () -> CheckpointCompatibility.check("ck.safetensors", l, expected(), Map.of("weight_hh_l0", StoredType.F32)));
        String m = e.getMessage();
        assertTrue(m.startsWith("checkpoint ck.safetensors does not match the model: 5 problems (2 missing, 1 mismatched, 1 unexpected)"), m);
        assertEquals(5, e.problems().size());
        for (String p : e.problems()) {
            assertTrue(m.contains(p), p);
        }
        assertTrue(m.contains("lacks tensor 'weight_ih_l0' [16, 3]"), m);
        assertTrue(m.contains("has shape [4, 16] but the model expects [16, 4]"), m);
        assertTrue(m.contains("is stored as I64 but the model expects F32"), m);
        assertTrue(m.contains("prefix"), m);
    }

    @Test
    void typeForUnknownNameIsACallerBug() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointCompatibility.check("X", loaded(), expected(), Map.of("nope", StoredType.F32)));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    }

    @Test
    void loadReadsThenChecks() throws Exception {
        Path p = dir.resolve("ck.safetensors");
        SafeTensors.write(p, loaded(), Map.of("cell", "lstm"));
        SafeTensorsFile f = CheckpointCompatibility.load(p, expected(), null, true);
        assertEquals("lstm", f.metadata().get("cell"));
        Map<String, int[]> more = expected();
        more.put("bias_ih_l1", new int[] {4});
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> CheckpointCompatibility.load(p, more, null, true));
        assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains("'bias_ih_l1'"), e.getMessage());
    }
}
