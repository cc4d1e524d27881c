package org.rnn4j.examples.stocks;

import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * Next-day return model: a recurrent layer reads a window of daily (standardised) log returns of
 * several columns, {@code [B, W, C]}, and a linear layer maps its final hidden state to the next day's
 * standardised log return of the target column, {@code [B, 1]}. Children {@code rnn} and {@code head}.
 */
final class StockModel extends Module {
    private final Recurrent rnn;
    private final Linear head;

    StockModel(String cell, int inputs, int hidden, Backend backend, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        rnn = registerModule("rnn", Recurrent.builder(Cells.byName(cell), inputs, hidden).backend(backend).dtype(DType.FLOAT32)
                .seed(rng.nextLong()).build());
        head = registerModule("head", new Linear(hidden, 1, true, backend, DType.FLOAT32, rng));
    }

    /** Predictions {@code [B, 1]} for windows {@code x [B, W, C]}. */
    Var forward(Var x) {
        Var h = rnn.forward(x).hN();
        return head.forward(F.reshape(h, x.dim(0), rnn.hiddenSize()));
    }

    String explain() {
        return rnn.explain();
    }
}
