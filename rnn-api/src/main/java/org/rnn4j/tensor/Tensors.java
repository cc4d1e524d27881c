package org.rnn4j.tensor;

import org.rnn4j.tensor.Backend;

/** Helpers on tensors that every backend shares. */
public final class Tensors {
    private Tensors() {
    }

    /**
     * Throws unless {@code t} is open: the one check and message every backend uses for a closed
     * tensor, so using one fails alike everywhere.
     *
     * @param role what {@code t} is to the caller, for the message (e.g. {@code "argument 'a'"})
     * @throws IllegalStateException naming {@code role}, the tensor's backend, shape and dtype when
     *     {@code t} was closed
     */
    public static void requireOpen(Tensor t, String role) {
        if (t.isClosed()) {
            throw new IllegalStateException(role + " is a tensor " + Shapes.str(t.shape()) + " " + t.dtype() + " of backend '"
                    + t.backend().name() + "' that was closed; a closed tensor cannot be used again (keep it open while it is"
                    + " in use, or make a new one)");
        }
    }

    /** {@code t} itself when it is on {@code target}, else a copy on {@code target} with the same dtype and shape (through the host). */
    public static Tensor to(Tensor t, Backend target) {
        return t.backend() == target ? t : copy(t, target);
    }

    /**
     * A copy of {@code t} on its own backend: a value that keeps its contents when {@code t} is later
     * updated in place (as optimizers update parameters). Use it to remember a parameter's value.
     */
    public static Tensor copy(Tensor t) {
        return copy(t, t.backend());
    }

    private static Tensor copy(Tensor t, Backend target) {
        return t.dtype() == DType.FLOAT32
                ? target.fromFloats(t.toFloatArray(), DType.FLOAT32, t.shape())
                : target.fromDoubles(t.toDoubleArray(), t.dtype(), t.shape());
    }

    /** Norm-wise relative error {@code ||a - b|| / max(||b||, tiny)} of two host arrays of one length. */
    public static double relativeError(double[] actual, double[] expected) {
        if (actual.length != expected.length) {
            throw new IllegalArgumentException("relativeError: lengths differ: " + actual.length + " vs " + expected.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = actual[i] - expected[i];
            num += d * d;
            den += expected[i] * expected[i];
        }
        // an all-zero expectation falls back to the absolute error
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num) / Math.sqrt(den);
    }

    /** True when every element is finite. */
    public static boolean allFinite(Tensor t) {
        for (double v : t.toDoubleArray()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
