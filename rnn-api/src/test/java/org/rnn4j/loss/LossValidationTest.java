package org.rnn4j.loss;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.testing.RefBackend;

/** Invalid arguments fail before computing, with messages naming the argument, what was given and what was expected. */
class LossValidationTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    private static void fails(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
    }

    private static Var logits(DType dt, int... shape) {
        return Var.parameter(B.zeros(dt, shape));
    }

    @Test
    void crossEntropyTargetLength() {
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 4, 5), new int[] {0, 1, 2}), "target has 3 entries", "N = 4");
    }

    @Test
    void crossEntropyTargetOutOfRange() {
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 3, 5), new int[] {0, 1, 7}), "target[2] = 7", "[0, 5)",
                "ignore index -100");
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 3, 5), new int[] {0, -1, 2}), "target[1] = -1");
        fails(() -> Losses.nll(logits(DType.FLOAT32, 2, 2), new int[] {0, 2}), "nll", "target[1] = 2", "[0, 2)");
    }

    @Test
    void crossEntropyShapeAndNulls() {
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 2, 3, 4), new int[] {0, 1}), "logits has shape [2, 3, 4]",
                "[N, C]");
        fails(() -> Losses.crossEntropy(null, new int[] {0}), "logits is null");
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 2, 3), null), "target is null");
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 2, 3), new int[] {0, 1}, null), "options is null");
        fails(() -> Losses.nll(logits(DType.FLOAT32, 2, 3), new int[] {0, 1}, null, -100, null), "reduction is null");
    }

    @Test
    void crossEntropyWeight() {
        Tensor w3 = B.full(1, DType.FLOAT32, 3);
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 2, 5), new int[] {0, 1},
                CrossEntropyOptions.defaults().withWeight(w3)), "weight has shape [3]", "[C] = [5]");
        Tensor w64 = B.full(1, DType.FLOAT64, 5);
        fails(() -> Losses.crossEntropy(logits(DType.FLOAT32, 2, 5), new int[] {0, 1},
                CrossEntropyOptions.defaults().withWeight(w64)), "weight has dtype FLOAT64", "logits has dtype FLOAT32");
    }

    @Test
    void options() {
        fails(() -> CrossEntropyOptions.defaults().withLabelSmoothing(1.5), "labelSmoothing = 1.5", "[0, 1]");
        fails(() -> CrossEntropyOptions.defaults().withLabelSmoothing(Double.NaN), "labelSmoothing = NaN");
        fails(() -> CrossEntropyOptions.defaults().withReduction(null), "reduction is null");
    }

    @Test
    void mse() {
        Var a = logits(DType.FLOAT32, 2, 3);
        fails(() -> Losses.mse(a, Var.constant(B.zeros(DType.FLOAT32, 3, 2))), "target has shape [3, 2]",
                "input has shape [2, 3]");
        fails(() -> Losses.mse(a, Var.constant(B.zeros(DType.FLOAT64, 2, 3))), "target has dtype FLOAT64",
                "input has dtype FLOAT32");
        fails(() -> Losses.mse(a, null), "target is null");
        Var t = Var.constant(B.zeros(DType.FLOAT32, 2, 3));
        fails(() -> Losses.mse(a, t, B.zeros(DType.FLOAT32, 2, 2), Reduction.MEAN), "mask has shape [2, 2]",
                "input has shape [2, 3]");
        fails(() -> Losses.mse(a, t, B.zeros(DType.FLOAT64, 2, 3), Reduction.MEAN), "mask has dtype FLOAT64");
        fails(() -> Losses.mse(a, t, null, Reduction.MEAN), "mask is null");
        fails(() -> Losses.mse(a, t, null), "reduction is null");
    }

    @Test
    void bceWithLogits() {
        Var x = logits(DType.FLOAT64, 2, 3);
        Var y = Var.constant(B.full(0.5, DType.FLOAT64, 2, 3));
        fails(() -> Losses.binaryCrossEntropyWithLogits(x, Var.constant(B.fromDoubles(new double[] {0, 1, 0.5, 1.5, 0, 0},
                DType.FLOAT64, 2, 3))), "target element 3", "1.5", "[0, 1]");
        fails(() -> Losses.binaryCrossEntropyWithLogits(x, Var.constant(B.fromDoubles(new double[] {0, 1, 0.5, Double.NaN, 0, 0},
                DType.FLOAT64, 2, 3))), "target element 3", "NaN");
        fails(() -> Losses.binaryCrossEntropyWithLogits(x, Var.constant(B.full(0.5, DType.FLOAT64, 3, 2))),
                "target has shape [3, 2]", "input has shape [2, 3]");
        fails(() -> Losses.binaryCrossEntropyWithLogits(x, y, null, B.full(1, DType.FLOAT64, 2), Reduction.MEAN),
                "posWeight has shape [2]", "[C] = [3]");
        fails(() -> Losses.binaryCrossEntropyWithLogits(x, y, B.full(1, DType.FLOAT64, 2), null, Reduction.MEAN),
                "weight has shape [2]", "trailing dimensions");
        fails(() -> Losses.binaryCrossEntropyWithLogits(x, y, null, B.full(1, DType.FLOAT32, 3), Reduction.MEAN),
                "posWeight has dtype FLOAT32");
        fails(() -> Losses.binaryCrossEntropyWithLogits(x, y, null, null, null), "reduction is null");
        fails(() -> Losses.binaryCrossEntropyWithLogits(null, y), "input is null");
    }

    @Test
    void huber() {
        Var x = logits(DType.FLOAT32, 2, 3);
        Var y = Var.constant(B.zeros(DType.FLOAT32, 2, 3));
        fails(() -> Losses.huber(x, y, 0, Reduction.SUM), "delta = 0.0", "> 0");
        fails(() -> Losses.huber(x, y, -1, Reduction.SUM), "delta = -1.0");
        fails(() -> Losses.huber(x, y, Double.NaN, Reduction.SUM), "delta = NaN");
        fails(() -> Losses.huber(x, Var.constant(B.zeros(DType.FLOAT32, 3)), 1, Reduction.SUM), "target has shape [3]");
        fails(() -> Losses.huber(x, y, 1, null), "reduction is null");
    }
}
