package org.rnn4j.nn;

import java.util.SplittableRandom;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/** PyTorch's {@code nn.GRUCell}: one step of the {@code Cells.gru()} cell; states (h), each {@code [B, H]}. See {@link CellModule}. */
public final class GRUCell extends CellModule {
    /** A cell with biases, initialised from {@code rng}. */
    public GRUCell(int inputSize, int hiddenSize, Backend backend, DType dtype, SplittableRandom rng) {
        this(inputSize, hiddenSize, true, backend, dtype, rng);
    }

    /** A cell with or without biases, initialised from {@code rng}. */
    public GRUCell(int inputSize, int hiddenSize, boolean bias, Backend backend, DType dtype, SplittableRandom rng) {
        super(Cells.gru(), inputSize, hiddenSize, bias, backend, dtype, rng);
    }
}
