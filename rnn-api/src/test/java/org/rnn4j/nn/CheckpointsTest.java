package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.Var;
import org.rnn4j.io.CheckpointMismatchException;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.tensor.DType;
import org.rnn4j.testing.RefBackend;
import org.rnn4j.testing.SparseFiles;

/** Loading a module checks the header first, reads only what it needs, refuses non-finite weights, and changes nothing on failure. */
class CheckpointsTest {
    @TempDir
    Path dir;

    /** A module of named leaf parameters. */
    static final class Params extends Module {
        Params(String n1, Var v1, String n2, Var v2) {
            registerParameter(n1, v1);
            registerParameter(n2, v2);
        }
    }

    /** A module holding one child, so its parameters are named CHILD.NAME. */
    static final class Holder extends Module {
        Holder(String name, Module child) {
            registerModule(name, child);
        }
    }

    /** fc.weight [2, 3] and fc.bias [2], float32, drawn from {@code seed}. */
    private static Module linear(long seed) {
        return new Holder("fc", new Linear(3, 2, true, RefBackend.INSTANCE, DType.FLOAT32, new SplittableRandom(seed)));
    }

    /** A module of two zero parameters fc.N1 and fc.N2. */
    private static Module module(String n1, DType d1, int[] s1, String n2, DType d2, int[] s2) {
        return new Holder("fc", new Params(n1.substring("fc.".length()), Var.parameter(RefBackend.INSTANCE.zeros(d1, s1)),
                n2.substring("fc.".length()), Var.parameter(RefBackend.INSTANCE.zeros(d2, s2))));
    }

    private static Map<String, double[]> values(Module m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> out.put(k, v.value().toDoubleArray()));
        return out;
    }

    private static void assertUnchanged(Map<String, double[]> before, Module m) {
        values(m).forEach((k, v) -> assertArrayEquals(before.get(k), v, k));
    }

    @Test
    void roundTripWithExtras() throws Exception {
        Module a = linear(1);
        Path p = dir.resolve("a.safetensors");
        Checkpoints.save(p, a, Map.of("vocab", HostTensor.ofInts(new int[] {97, 98}, 2)), Map.of("k", "v"));
        Module b = linear(2);
        Checkpoints.Loaded l = Checkpoints.load(p, b);
        values(a).forEach((k, v) -> assertArrayEquals(v, b.parameters().get(k).value().toDoubleArray(), k));
        assertEquals(List.of("vocab"), List.copyOf(l.extra().keySet()));
        assertEquals("v", l.metadata().get("k"));
        assertTrue(Checkpoints.load(p, linear(3), n -> false).extra().isEmpty(), "extras not selected are not read");
    }

    /**
     * Issue 9, defect 3: an extra tensor declared F64 [2^31-9] (sparse file): loading the module without
     * that extra succeeds and reads the right values; asking for it is refused, never an OutOfMemoryError.
     */
    @Test
    void hugeExtraTensorIsNotReadUnlessAskedFor() throws Exception {
        Map<String, float[]> params = new LinkedHashMap<>();
        params.put("fc.weight", new float[] {1, 2, 3, 4, 5, 6});
        params.put("fc.bias", new float[] {7, 8});
        Path p = SparseFiles.write(dir.resolve("sparse.safetensors"), params, "junk", SparseFiles.countExceedingTheHeap(), Map.of());
        Module m = linear(1); // expects fc.weight [2, 3], the file has [6]
        Map<String, double[]> before = values(m);
        CheckpointMismatchException shape = assertThrows(CheckpointMismatchException.class, () -> Checkpoints.load(p, m, n -> false));
        assertTrue(shape.getMessage().contains("'fc.weight' has shape [6] but the model expects [2, 3]"), shape.getMessage());
        assertUnchanged(before, m);

        Module flat = module("fc.weight", DType.FLOAT32, new int[] {6}, "fc.bias", DType.FLOAT32, new int[] {2});
        Checkpoints.Loaded l = Checkpoints.load(p, flat, n -> !n.startsWith("junk"));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, flat.parameters().get("fc.weight").value().toDoubleArray());
        assertArrayEquals(new double[] {7, 8}, flat.parameters().get("fc.bias").value().toDoubleArray());
        assertTrue(l.extra().isEmpty());
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> Checkpoints.load(p, flat));
        assertTrue(e.getMessage().contains("heap") && e.getMessage().contains("junk0"), e.getMessage());
    }

    /** Issue 9, defect 3: a parameter declared with a wrong, huge shape is a mismatch found from the header alone. */
    @Test
    void parameterDeclaredHugeIsAMismatchNotAnOutOfMemoryError() throws Exception {
        Path p = SparseFiles.write(dir.resolve("huge-param.safetensors"), Map.of("fc.bias", new float[] {1, 2}), "fc.weight", 1, Map.of());
        // the file declares fc.weight0 as F64 [2^31-9]
        Module m = module("fc.weight0", DType.FLOAT64, new int[] {2, 3}, "fc.bias", DType.FLOAT32, new int[] {2});
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoints.load(p, m));
        assertTrue(e.getMessage().contains("'fc.weight0' has shape [2147483639] but the model expects [2, 3]"), e.getMessage());
        assertArrayEquals(new double[2], m.parameters().get("fc.bias").value().toDoubleArray(), "nothing loaded");
    }

    /** Issue 9, defect 8: NaN or infinite weights are refused at load, naming the tensor; the module keeps its values. */
    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws Exception {
        Module a = linear(1);
        Path p = dir.resolve("nan.safetensors");
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("fc.weight", HostTensor.ofFloats(new float[] {1, 2, Float.NaN, 4, Float.POSITIVE_INFINITY, 6}, 2, 3));
        t.put("fc.bias", HostTensor.ofFloats(new float[] {1, 2}, 2));
        SafeTensors.write(p, t, null);
        Map<String, double[]> before = values(a);
        CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoints.load(p, a));
        assertTrue(e.getMessage().contains("tensor 'fc.weight' [2, 3] holds 2 NaN or infinite value(s) (element 2 is NaN)"), e.getMessage());
        assertEquals(List.of("fc.weight"), e.nonFinite());
        assertUnchanged(before, a);
    }
}
