package org.rnn4j.nn;

import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;

/** PyTorch's {@code nn.LogSoftmax(dim=1)} over {@code [N, C]}: no parameters. */
public final class LogSoftmax {
    /** {@code [N, C] -> [N, C]} log-probabilities per row. */
    public Var forward(Var x) {
        return F.logSoftmax(x);
    }
}
