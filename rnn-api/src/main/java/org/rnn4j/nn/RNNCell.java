package org.rnn4j.nn;

import java.util.SplittableRandom;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * PyTorch's {@code nn.RNNCell} (Elman): one step {@code h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)}
 * with {@code act} tanh or relu; state {@code (h)} {@code [B, H]}. See {@link CellModule}.
 */
public final class RNNCell extends CellModule {
    /** A tanh cell with biases, initialised from {@code rng}. */
    public RNNCell(int inputSize, int hiddenSize, Backend backend, DType dtype, SplittableRandom rng) {
        this(inputSize, hiddenSize, true, false, backend, dtype, rng);
    }

    /** A cell with or without biases and with relu instead of tanh when {@code relu}, initialised from {@code rng}. */
    public RNNCell(int inputSize, int hiddenSize, boolean bias, boolean relu, Backend backend, DType dtype, SplittableRandom rng) {
        super(relu ? Cells.rnnRelu() : Cells.rnnTanh(), inputSize, hiddenSize, bias, backend, dtype, rng);
    }
}
