package org.rnn4j.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.testing.RefBackend;
import org.rnn4j.testing.RefBackend.Golden;

/** The loss_* golden cases computed by PyTorch 1.13, in float64 and float32. */
class LossGoldenTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    static Stream<Arguments> cases() {
        String[] names = {"loss_cross_entropy_mean", "loss_cross_entropy_weight_ignore", "loss_cross_entropy_sum_smoothing",
            "loss_nll_none", "loss_mse_mean", "loss_bce_with_logits_pos_weight", "loss_huber_sum"};
        return Stream.of(names).flatMap(n -> Stream.of(Arguments.of(n, DType.FLOAT64), Arguments.of(n, DType.FLOAT32)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, DType dtype) {
        Golden g = Golden.load(name);
        double valueTol = dtype == DType.FLOAT64 ? 1e-9 : 1e-4;
        double gradTol = dtype == DType.FLOAT64 ? 1e-9 : 1e-3;
        Reduction reduction = Reduction.valueOf(g.meta("reduction").toUpperCase());
        Var input = Var.parameter(g.tensor("input", B, dtype));
        Tensor weight = g.has("weight") ? g.tensor("weight", B, dtype) : null;
        Var loss;
        switch (g.meta("loss")) {
            case "cross_entropy":
                loss = Losses.crossEntropy(input, g.ints("target"), CrossEntropyOptions.defaults().withWeight(weight)
                        .withLabelSmoothing(Double.parseDouble(g.meta("label_smoothing"))).withReduction(reduction));
                break;
            case "nll":
                // the case's input holds logits; the loss is on log_softmax(input)
                loss = Losses.nll(F.logSoftmax(input), g.ints("target"), weight, -100, reduction);
                break;
            case "bce_with_logits":
                loss = Losses.binaryCrossEntropyWithLogits(input, Var.constant(g.tensor("target", B, dtype)), null,
                        g.has("pos_weight") ? g.tensor("pos_weight", B, dtype) : null, reduction);
                break;
            case "huber":
                loss = Losses.huber(input, Var.constant(g.tensor("target", B, dtype)), Double.parseDouble(g.meta("delta")), reduction);
                break;
            default:
                loss = Losses.mse(input, Var.constant(g.tensor("target", B, dtype)), reduction);
        }
        assertArrayEquals(g.shape("loss"), loss.shape(), "loss shape");
        double e = Tensors.relativeError(loss.value().toDoubleArray(), g.doubles("loss"));
        assertTrue(e < valueTol, name + " " + dtype + ": loss relative error " + e);
        loss.backward(g.tensor("grad_loss", B, dtype));
        double eg = Tensors.relativeError(input.grad().toDoubleArray(), g.doubles("grad.input"));
        assertTrue(eg < gradTol, name + " " + dtype + ": grad.input relative error " + eg);
    }
}
