package org.rnn4j.spi;

import java.util.Locale;

/**
 * The fused kernels a backend may offer, one per built-in cell and scope: a single cell step
 * ({@link CellKernel}, {@link CellArgs}) or a whole sequence of one layer and direction
 * ({@link SequenceKernel}, {@link SequenceArgs}). {@link #values()} lists them all (the {@code backends}
 * diagnostics print the ones a backend offers, by {@link #id()}).
 *
 * <p>Gate order and math are PyTorch's: LSTM gates (i, f, g, o) and states (h, c); GRU gates (r, z, n) with
 * {@code n = tanh(x_n + r * (W_hn h + b_hn))}; Elman {@code h' = act(x + h W_hh^T + b_hh)} with tanh or relu.
 */
public enum KernelKind {
    /** One LSTM step: outputs {@code h'}, {@code c'}. */
    LSTM_CELL("lstm", 4, 2, false),
    /** One GRU step: output {@code h'}. */
    GRU_CELL("gru", 3, 1, false),
    /** One Elman step with tanh: output {@code h'}. */
    RNN_TANH_CELL("rnn_tanh", 1, 1, false),
    /** One Elman step with relu: output {@code h'}. */
    RNN_RELU_CELL("rnn_relu", 1, 1, false),
    /** A whole LSTM sequence: outputs {@code y}, {@code h_T}, {@code c_T}. */
    LSTM_SEQUENCE("lstm", 4, 2, true),
    /** A whole GRU sequence: outputs {@code y}, {@code h_T}. */
    GRU_SEQUENCE("gru", 3, 1, true),
    /** A whole Elman (tanh) sequence: outputs {@code y}, {@code h_T}. */
    RNN_TANH_SEQUENCE("rnn_tanh", 1, 1, true),
    /** A whole Elman (relu) sequence: outputs {@code y}, {@code h_T}. */
    RNN_RELU_SEQUENCE("rnn_relu", 1, 1, true);

    private final String cell;
    private final int gates;
    private final int states;
    private final boolean sequence;

    KernelKind(String cell, int gates, int states, boolean sequence) {
        this.cell = cell;
        this.gates = gates;
        this.states = states;
        this.sequence = sequence;
    }

    /** The lower-case name, e.g. {@code lstm_cell} or {@code gru_sequence} (as in {@code Recurrent.explain()}). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The cell's name as {@code org.rnn4j.nn.Cells.byName} takes it: {@code lstm}, {@code gru}, {@code rnn_tanh}, {@code rnn_relu}. */
    public String cell() {
        return cell;
    }

    /** Number of gates {@code G}: the projections are {@code [.., G*H]} and {@code W_hh} is {@code [G*H, H]}. */
    public int gates() {
        return gates;
    }

    /** Number of recurrent states: 2 (h and c) for LSTM, else 1 (h). */
    public int states() {
        return states;
    }

    /** Whether the cell carries a cell state {@code c} (LSTM). */
    public boolean hasCellState() {
        return states == 2;
    }

    /** True for the whole-sequence kinds, false for the cell steps. */
    public boolean sequence() {
        return sequence;
    }

    /** Number of outputs: the states for a cell step; {@code y} and the final states for a sequence. */
    public int outputCount() {
        return sequence ? 1 + states : states;
    }

    /** The cell-step kind of the same cell (itself for a cell kind). */
    public KernelKind cellKind() {
        return sequence ? values()[ordinal() - 4] : this;
    }

    /** The whole-sequence kind of the same cell (itself for a sequence kind). */
    public KernelKind sequenceKind() {
        return sequence ? this : values()[ordinal() + 4];
    }
}
