package org.rnn4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One benchmark workload: a single-layer, unidirectional, float32 recurrent layer of one cell over a
 * batch-first input {@code [B, T, I]}, timed as a training step (forward, MSE loss against random
 * targets, backward, SGD step) or as inference (forward only).
 *
 * <p>Names are part of the interface: {@code {cell}-{train|infer}-b{B}-t{T}-i{I}-h{H}} with cell
 * {@code rnn} (Elman tanh), {@code lstm} or {@code gru}. {@link #CANONICAL} lists the published ones;
 * any name of that form is accepted, which is how the tests run tiny sizes.
 */
public record Workload(String name, CellKind cell, boolean train, int batch, int steps, int input, int hidden) implements Subject {

    /** The cells a workload can use, with their PyTorch gate count {@code G}. */
    public enum CellKind {
        RNN("rnn", 1, "Elman tanh"),
        LSTM("lstm", 4, "LSTM"),
        GRU("gru", 3, "GRU");

        private final String token;
        private final int gates;
        private final String title;

        CellKind(String token, int gates, String title) {
            this.token = token;
            this.gates = gates;
            this.title = title;
        }

        /** The name's first token: {@code rnn}, {@code lstm}, {@code gru}. */
        public String token() {
            return token;
        }

        /** Gate count G: weight_ih is [G*H, I]. */
        public int gates() {
            return gates;
        }

        public String title() {
            return title;
        }

        static CellKind of(String token) {
            for (CellKind k : values()) {
                if (k.token.equals(token)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown cell '" + token + "'");
        }
    }

    private static final Pattern NAME = Pattern.compile("(rnn|lstm|gru)-(train|infer)-b(\\d+)-t(\\d+)-i(\\d+)-h(\\d+)");

    /** The published workloads, in the order the table lists them. */
    public static final List<Workload> CANONICAL = List.of(
            parse("rnn-train-b32-t64-i128-h256"),
            parse("lstm-train-b32-t64-i128-h256"),
            parse("gru-train-b32-t64-i128-h256"),
            parse("lstm-train-b64-t100-i512-h1024"),
            parse("lstm-infer-b1-t256-i128-h256"),
            parse("lstm-infer-b64-t100-i512-h1024"));

    public Workload {
        if (batch <= 0 || steps <= 0 || input <= 0 || hidden <= 0) {
            throw new IllegalArgumentException("workload '" + name + "': every size must be >= 1");
        }
    }

    /**
     * The workload named {@code name} ({@code {cell}-{train|infer}-b{B}-t{T}-i{I}-h{H}}).
     *
     * @throws IllegalArgumentException naming the expected form and the canonical workloads
     */
    public static Workload parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        Matcher m = NAME.matcher(n);
        if (!m.matches()) {
            throw new IllegalArgumentException("Unknown workload '" + name + "': expected all, one of " + canonicalNames()
                    + ", or a name of the form {rnn|lstm|gru}-{train|infer}-b{B}-t{T}-i{I}-h{H}");
        }
        try {
            return new Workload(n, CellKind.of(m.group(1)), m.group(2).equals("train"), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Workload '" + name + "': a size does not fit an int", e);
        }
    }

    /** Parses a comma list; {@code all} stands for {@link #CANONICAL}. Duplicates are dropped, order kept. */
    public static List<Workload> parseList(String list) {
        LinkedHashSet<Workload> out = new LinkedHashSet<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equalsIgnoreCase("all")) {
                out.addAll(CANONICAL);
            } else {
                out.add(parse(p));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("No workload given: expected all or a comma list of " + canonicalNames());
        }
        return new ArrayList<>(out);
    }

    static String canonicalNames() {
        return String.join(", ", CANONICAL.stream().map(Workload::name).toList());
    }

    /** Gate count G of the cell. */
    public int gates() {
        return cell.gates();
    }

    /** Effective floating-point operations of one forward pass: {@code 2·B·T·(I+H)·G·H}. */
    public double forwardFlops() {
        return 2.0 * batch * steps * (input + (double) hidden) * gates() * hidden;
    }

    /** Effective operations of one timed step: the forward's, three times that for a training step. */
    @Override
    public double flopsPerStep() {
        return train ? 3 * forwardFlops() : forwardFlops();
    }

    /** Effective GFLOP/s of a step that took {@code ms} milliseconds. */
    @Override
    public double gflops(double ms) {
        return flopsPerStep() / (ms * 1e6);
    }

    /**
     * float32 bytes of the forward pass's tensors, {@code 4·(B·T·(I + G·H + H·S) + G·H·(I + H + 2))}
     * (input, gate activations, outputs and, for an LSTM ({@code S = 2}), cell states; the parameters),
     * twice that for a training step (their gradients).
     */
    @Override
    public double tensorBytesPerStep() {
        double states = cell == CellKind.LSTM ? 2 : 1;
        double forward = 4.0 * ((double) batch * steps * (input + gates() * (double) hidden + hidden * states)
                + (double) gates() * hidden * (input + hidden + 2.0));
        return train ? 2 * forward : forward;
    }

    /** Elements of the input {@code [B, T, I]}. */
    public long inputSize() {
        return (long) batch * steps * input;
    }

    /** Elements of the output and of the targets {@code [B, T, H]}. */
    public long outputSize() {
        return (long) batch * steps * hidden;
    }

    /** A one-line description, e.g. {@code LSTM training step, B=32 T=64 I=128 H=256}. */
    public String describe() {
        return cell.title() + (train ? " training step" : " inference") + ", B=" + batch + " T=" + steps + " I=" + input + " H=" + hidden;
    }

    @Override
    public String toString() {
        return name;
    }
}
