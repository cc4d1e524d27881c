package org.rnn4j.nn;

import java.util.Map;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;

/** PyTorch's {@code nn.LogSoftmax(dim=-1)}: log-softmax over the last axis; no parameters. */
public final class LogSoftmax extends Module implements Layer {
    /** {@code x [..., C] -> [..., C]}, log-probabilities over the last axis. */
    @Override
    public Var forward(Var x) {
        return F.logSoftmax(x);
    }

    /** No hyperparameters. */
    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
