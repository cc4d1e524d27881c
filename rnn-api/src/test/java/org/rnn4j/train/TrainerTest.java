package org.rnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Module;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.DType;
import org.rnn4j.testing.RefBackend;

class TrainerTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    /** Issue 9, defect 8: a supplier returning null is a clear IllegalArgumentException, not a NullPointerException; nothing moves. */
    @Test
    void nullLossIsAClearErrorAndUpdatesNothing() {
        Var w = Var.parameter(B.fromDoubles(new double[] {1, -2}, DType.FLOAT64, 2));
        Module m = new Module() {
            {
                registerParameter("w", w);
            }
        };
        Trainer t = new Trainer(m, SGD.builder(m.parameters().values()).lr(0.1).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.step(() -> null));
        assertTrue(e.getMessage().contains("returned null") && e.getMessage().contains("step 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.step(null));
        assertArrayEquals(new double[] {1, -2}, w.value().toDoubleArray());
        assertEquals(0, t.steps());
        // and a real step still works: loss = sum(w * w), w <- w - 0.1 * 2w
        double loss = t.step(() -> F.sum(F.mul(w, w)));
        assertEquals(5, loss, 0);
        assertArrayEquals(new double[] {0.8, -1.6}, w.value().toDoubleArray(), 1e-15);
    }
}
