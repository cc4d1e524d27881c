package org.rnn4j.backend;

import org.rnn4j.tensor.Tensor;

/**
 * A backend's fused implementation of a composite operation, entered into the autograd graph as one
 * node. Names and contracts (all tensors 2-D unless stated, {@code B} batch, {@code H} hidden):
 * <ul>
 *   <li>{@value #LSTM_CELL}: inputs {@code xProj [B,4H]} (input projection {@code x W_ih^T + b_ih},
 *       zeros-bias when absent), {@code h [B,H]}, {@code c [B,H]}, {@code W_hh [4H,H]},
 *       {@code b_hh [4H]} or null; outputs {@code h' [B,H]}, {@code c' [B,H]}. Gate order i, f, g, o.</li>
 *   <li>{@value #GRU_CELL}: inputs {@code xProj [B,3H]}, {@code h [B,H]}, {@code W_hh [3H,H]},
 *       {@code b_hh [3H]} or null; output {@code h' [B,H]}. Gate order r, z, n with
 *       {@code n = tanh(xn + r * (W_hn h + b_hn))}.</li>
 *   <li>{@value #RNN_TANH_CELL} / {@value #RNN_RELU_CELL}: inputs {@code xProj [B,H]}, {@code h},
 *       {@code W_hh [H,H]}, {@code b_hh [H]} or null; output {@code h'}.</li>
 * </ul>
 */
public interface FusedKernel {
    String LSTM_CELL = "lstm_cell";
    String GRU_CELL = "gru_cell";
    String RNN_TANH_CELL = "rnn_tanh_cell";
    String RNN_RELU_CELL = "rnn_relu_cell";

    /** Runs the forward pass; the result keeps what its backward pass needs. Inputs are not modified. */
    Result apply(Tensor... inputs);

    /** Outputs of one fused forward call and the matching backward pass. */
    interface Result {
        /** The forward outputs, in the order of the kernel's contract. */
        Tensor[] outputs();

        /**
         * Gradients with respect to each input (null for a null input) given the gradients of each
         * output (a null entry means zero gradient).
         */
        Tensor[] backward(Tensor... outputGradients);
    }
}
