package org.rnn4j.conformance;

import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.Losses;
import org.rnn4j.loss.Reduction;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.DType;

/**
 * Runs a golden {@code ctc} case: {@code torch.nn.functional.ctc_loss} on {@code log_softmax(logits)}
 * through {@link Losses#ctc}; asserts the loss and {@code grad.logits} for the upstream gradient
 * {@code grad_loss}, with the tolerances of {@link Expect}.
 */
public final class CtcGoldenRunner {
    private CtcGoldenRunner() {
    }

    /** Runs case {@code c} on {@code backend} in {@code dtype}. */
    public static void run(GoldenCase c, ComputeBackend backend, DType dtype) {
        int[] shape = c.shape("logits");
        Var logits = Var.leaf(c.tensor("logits", backend, dtype), true);
        Var logProbs = F.reshape(F.logSoftmax(F.reshape(logits, shape[0] * shape[1], shape[2])), shape);
        int[] ts = c.shape("targets");
        int[] flat = c.ints("targets");
        int[][] targets = new int[ts[0]][ts[1]];
        for (int b = 0; b < ts[0]; b++) {
            System.arraycopy(flat, b * ts[1], targets[b], 0, ts[1]);
        }
        Reduction reduction = switch (c.meta("reduction")) {
            case "mean" -> Reduction.MEAN;
            case "sum" -> Reduction.SUM;
            case "none" -> Reduction.NONE;
            default -> throw new AssertionError("golden case " + c.name() + ": unknown reduction '" + c.meta("reduction") + "'");
        };
        Var loss = Losses.ctc(logProbs, targets, c.ints("input_lengths"), c.ints("target_lengths"), c.metaInt("blank"),
                reduction, c.metaBool("zero_infinity"));
        Expect.close(c.name() + " loss", loss.value(), c.shape("loss"), c.doubles("loss"), Expect.values(dtype));
        loss.backward(c.tensor("grad_loss", backend, dtype));
        Expect.close(c.name() + " grad.logits", logits.grad(), c.shape("grad.logits"), c.doubles("grad.logits"),
                Expect.gradients(dtype));
    }
}
