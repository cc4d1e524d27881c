package org.rnn4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rnn4j.tensor.DType;
import org.rnn4j.testing.RefBackend;

/** {@link Recurrent} needs an explicit backend; on one without fused kernels every cell runs its steps composed. */
class RecurrentBackendTest {

    @Test
    void buildWithoutABackendNamesTheBuilderMethod() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Recurrent.builder(Cells.lstm(), 3, 4).build());
        assertEquals("Recurrent: no backend given; call Recurrent.Builder.backend(backend) before build(), e.g. with Backends.get()",
                e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Recurrent.builder(Cells.gru(), 3, 4).backend(null));
        assertEquals("Recurrent: backend is null; pass one, e.g. Backends.get()", n.getMessage());
    }

    @Test
    void aBackendWithoutKernelsRunsTheCellStepsComposed() {
        Recurrent l = Recurrent.builder(Cells.lstm(), 3, 4).backend(RefBackend.INSTANCE).dtype(DType.FLOAT64).build();
        assertEquals("composed", Cells.lstm().implementation(RefBackend.INSTANCE));
        assertTrue(l.explain().endsWith("on backend 'ref': cell step composed, input projection as one matmul per layer and direction; "
                + "backend version " + RefBackend.INSTANCE.version()), l.explain());
    }

    @Test
    void masksCheckTheirLengthsOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Masks.maskTargets(new int[] {0, 1, 2, 3, 4, 5}, new int[] {3, 0}, 3, -100));
        assertEquals("lengths[1] = 0 is outside [1, 3] (T = 3 steps)", e.getMessage());
        assertEquals(java.util.List.of(0, 1, -100, 3, 4, 5), java.util.Arrays.stream(
                Masks.maskTargets(new int[] {0, 1, 2, 3, 4, 5}, new int[] {2, 3}, 3, -100)).boxed().toList());
    }
}
