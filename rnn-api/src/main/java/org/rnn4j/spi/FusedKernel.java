package org.rnn4j.spi;

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
 *
 * <p><b>Sequence kernels</b> (optional; a backend without them simply does not offer the names) run a
 * whole sequence of one layer and direction as one node, called through {@link #apply(Sequence, Tensor...)}
 * with the direction and the per-sequence lengths. {@code T} is the number of steps, {@code G} the
 * number of gates (4, 3, 1):
 * <ul>
 *   <li>{@value #LSTM_SEQUENCE}: inputs {@code xProj [B,T,4H]} (the input projection {@code x W_ih^T}
 *       of every step, with or without {@code b_ih}), {@code h0 [B,H]}, {@code c0 [B,H]},
 *       {@code W_hh [4H,H]}, {@code b_hh [4H]} or null, {@code b_ih [4H]} or null (added to every step
 *       of {@code xProj}); outputs {@code y [B,T,H]} (the h of every step), {@code h_T [B,H]},
 *       {@code c_T [B,H]}. Each step is {@value #LSTM_CELL} on {@code xProj[:,t] + b_ih}.</li>
 *   <li>{@value #GRU_SEQUENCE}: inputs {@code xProj [B,T,3H]}, {@code h0}, {@code W_hh [3H,H]},
 *       {@code b_hh} or null, {@code b_ih} or null; outputs {@code y [B,T,H]}, {@code h_T}. Each step is
 *       {@value #GRU_CELL}.</li>
 *   <li>{@value #RNN_TANH_SEQUENCE} / {@value #RNN_RELU_SEQUENCE}: inputs {@code xProj [B,T,H]},
 *       {@code h0}, {@code W_hh [H,H]}, {@code b_hh} or null, {@code b_ih} or null; outputs
 *       {@code y [B,T,H]}, {@code h_T}.</li>
 * </ul>
 * Steps run {@code t = 0 .. T-1}, or {@code T-1 .. 0} when {@link Sequence#reverse()}. With
 * {@link Sequence#lengths()} (one per sequence, in {@code [1, T]}), steps {@code t >= lengths[b]} of
 * sequence {@code b} are padding: their output is 0 and they leave the state unchanged (so a reverse
 * run starts at step {@code lengths[b] - 1} from {@code h0}), and the gradients of their {@code xProj}
 * are 0. The final states are the states after each sequence's last valid step. Backward gives the
 * gradients of every input (null for a null input), backpropagating through all steps.
 * {@link #apply(Tensor...)} on a sequence kernel runs forward with full-length sequences.
 */
public interface FusedKernel {
    String LSTM_CELL = "lstm_cell";
    String GRU_CELL = "gru_cell";
    String RNN_TANH_CELL = "rnn_tanh_cell";
    String RNN_RELU_CELL = "rnn_relu_cell";
    String LSTM_SEQUENCE = "lstm_sequence";
    String GRU_SEQUENCE = "gru_sequence";
    String RNN_TANH_SEQUENCE = "rnn_tanh_sequence";
    String RNN_RELU_SEQUENCE = "rnn_relu_sequence";

    /**
     * Options of a sequence kernel call: the direction, and per-sequence lengths ({@code null} for
     * full-length sequences; not modified, copied by the kernel if kept).
     */
    record Sequence(boolean reverse, int[] lengths) {
        /** Forward over full-length sequences. */
        public static final Sequence FORWARD = new Sequence(false, null);
    }

    /**
     * Runs a sequence kernel with {@code options} (see the class doc); kernels that are not sequence
     * kernels throw {@link UnsupportedOperationException}.
     */
    default Result apply(Sequence options, Tensor... inputs) {
        throw new UnsupportedOperationException(this + " is not a sequence kernel");
    }

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
