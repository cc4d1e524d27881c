package org.rnn4j.examples.forecast;

import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * One-step-ahead forecaster of a scaled series: a window of the last {@code W} scaled changes goes
 * through a recurrent layer, and a linear layer maps its last hidden state to the next change.
 *
 * <p>Scaling: a positive series is modelled as changes of its logarithm (month-on-month growth rates),
 * any other series as plain changes; the changes are standardised with the training part's mean and
 * standard deviation. Levels follow by adding the predicted changes back up, so the model
 * extrapolates a trend beyond the range it was trained on.
 */
final class Forecaster extends Module {
    private final Recurrent rnn;
    private final Linear head;
    private final Backend backend;
    final int window;

    Forecaster(String cell, int hidden, int window, Backend backend, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        this.backend = backend;
        this.window = window;
        rnn = registerModule("rnn", Recurrent.builder(Cells.byName(cell), 1, hidden).backend(backend).seed(rng.nextLong()).build());
        head = registerModule("head", new Linear(hidden, 1, true, backend, DType.FLOAT32, rng));
    }

    /** Predictions {@code [N, 1]} for windows {@code x [N, W, 1]}: the linear layer on the last hidden state. */
    Var forward(Var x) {
        return head.forward(F.reshape(rnn.forward(x).hN(), x.dim(0), rnn.hiddenSize()));
    }

    /** The prediction for one window, without recording a graph. */
    double predict(double[] windowValues) {
        try (Grad.Scope off = Grad.disabled()) {
            return forward(Var.constant(backend.fromDoubles(windowValues, DType.FLOAT32, 1, window, 1))).value().item();
        }
    }

    String explain() {
        return rnn.explain();
    }
}
