package org.rnn4j.examples.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A rough estimate, made before anything is allocated, of the memory a model and one training step
 * need, so that sizes that cannot fit are refused at once with the estimate and the limit instead of an
 * {@link OutOfMemoryError} after seconds, or an overflowed extent. Every count is exact 64-bit
 * arithmetic; a count past 2^63 is reported as such.
 *
 * <p>The estimate counts float32 values: training holds the weights, their gradients and Adam's two
 * moments (4 per parameter) plus the activations of a step twice (the forward values a backward pass
 * needs and their gradients); inference holds the weights and the activations once. It is compared
 * with {@link Runtime#maxMemory()}, the JVM's heap limit (also what native backends size their
 * off-heap pools from by default).
 */
public final class Footprint {
    /** Largest element count of one tensor (a Java array's). */
    static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;

    private final String what;
    private final String fix;
    private long parameters;
    private long activations;

    /**
     * @param what the thing estimated, for messages (e.g. "the charrnn model (--hidden 20000)")
     * @param fix what the user can change, for messages (e.g. "lower --hidden or --layers")
     */
    public Footprint(String what, String fix) {
        this.what = what;
        this.fix = fix;
    }

    /** Adds a parameter tensor of shape {@code dims} (refused when one tensor cannot hold it). */
    public Footprint parameter(String name, long... dims) {
        parameters = add(parameters, elements(name, dims));
        return this;
    }

    /** Adds {@code count} parameter tensors of shape {@code dims}. */
    public Footprint parameters(long count, String name, long... dims) {
        parameters = add(parameters, times(count, elements(name, dims)));
        return this;
    }

    /** Adds an activation of one step of shape {@code dims} (refused when one tensor cannot hold it). */
    public Footprint activation(String name, long... dims) {
        activations = add(activations, elements(name, dims));
        return this;
    }

    /** Adds {@code count} activations of shape {@code dims}. */
    public Footprint activations(long count, String name, long... dims) {
        activations = add(activations, times(count, elements(name, dims)));
        return this;
    }

    /** Gates per step of a cell: 4 for lstm, 3 for gru, 1 for rnn and classic, 2 for mgu, else 4 (the most). */
    public static int gates(String cell) {
        switch (cell) {
            case "rnn":
            case "classic":
                return 1;
            case "mgu":
                return 2;
            case "gru":
                return 3;
            default:
                return 4;
        }
    }

    /**
     * Adds a PyTorch-style recurrent stack (parameters named {@code PREFIXweight_ih_lK} and so on) and
     * its activations for a step over {@code batch} sequences of {@code steps}.
     */
    public Footprint recurrent(String prefix, String cell, long input, long hidden, long layers, boolean bidirectional, long batch,
            long steps) {
        long g = gates(cell);
        long dirs = bidirectional ? 2 : 1;
        long gh = times(g, hidden);
        parameters(dirs, prefix + "weight_ih_l0", gh, input);
        parameters(times(dirs, layers - 1), prefix + "weight_ih_l1", gh, times(dirs, hidden));
        parameters(times(dirs, layers), prefix + "weight_hh_lK", gh, hidden);
        parameters(times(2, times(dirs, layers)), prefix + "bias_lK", gh);
        // per layer and direction: the gates' pre-activations and the hidden (and cell) states of every step
        activations(times(dirs, layers), prefix + "gates", batch, steps, gh);
        activations(times(dirs, layers), prefix + "states", batch, steps, times(2, hidden));
        return this;
    }

    /** Parameters counted so far (saturating at {@link Long#MAX_VALUE}). */
    public long parameterCount() {
        return parameters;
    }

    /**
     * Throws a {@link UserError} when the estimate for training (or inference) exceeds
     * {@link Runtime#maxMemory()}; the message gives both.
     */
    public void check(boolean training) {
        long floats = training ? add(times(4, parameters), times(2, activations)) : add(parameters, activations);
        long bytes = times(4, floats);
        long limit = Runtime.getRuntime().maxMemory();
        if (bytes > limit) {
            throw new UserError(what + " needs about " + size(bytes) + " of memory " + (training ? "to train" : "to run") + " ("
                    + count(parameters) + " parameters" + (training ? ", with their gradients and Adam's state," : "")
                    + " and about " + size(times(4, times(training ? 2 : 1, activations))) + " of activations per step) but this JVM"
                    + " may use at most " + size(limit) + " (Runtime.maxMemory, set by -Xmx); " + fix);
        }
    }

    private long elements(String name, long... dims) {
        long n = 1;
        boolean zero = false;
        for (long d : dims) {
            zero |= d == 0;
            n = times(n, Math.max(d, 0));
        }
        if (!zero && n > MAX_TENSOR_ELEMENTS) {
            throw new UserError(what + ": tensor " + name + " would be " + Arrays.stream(dims).mapToObj(Long::toString)
                    .collect(Collectors.joining(", ", "[", "]")) + " = " + count(n) + " elements, more than the "
                    + MAX_TENSOR_ELEMENTS + " one tensor can hold; " + fix);
        }
        return zero ? 0 : n;
    }

    /** a * b for non-negative counts, saturating at Long.MAX_VALUE. */
    private static long times(long a, long b) {
        try {
            return Math.multiplyExact(Math.max(a, 0), Math.max(b, 0));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long add(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String count(long n) {
        return n == Long.MAX_VALUE ? "more than 2^63" : String.format(Locale.ROOT, "%,d", n);
    }

    /** Bytes as GiB, or TiB above 1024 GiB; "more than 2^63 bytes" when saturated. */
    static String size(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 2^63 bytes";
        }
        double gib = bytes / (double) (1L << 30);
        return gib >= 1024 ? String.format(Locale.ROOT, "%.1f TiB", gib / 1024) : String.format(Locale.ROOT, "%.2f GiB", gib);
    }
}
