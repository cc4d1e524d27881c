package org.rnn4j.bench;

import java.util.Locale;
import java.util.Map;

/**
 * Compares an implementation's check-pass results with the reference: the forward output, and for
 * training workloads each parameter's gradient, by norm-wise relative error
 * {@code ||a - b|| / ||b||}.
 */
final class Check {
    private Check() {
    }

    /** The outcome: whether it passed, the largest error seen, and what was compared or what failed. */
    record Verdict(boolean ok, double maxError, String detail) {
    }

    static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return Double.POSITIVE_INFINITY;
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = (double) actual[i] - expected[i];
            num += d * d;
            den += (double) expected[i] * expected[i];
        }
        if (Double.isNaN(num)) {
            return Double.NaN;
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    /**
     * The first sequences of the input a check covers: the whole batch when a step is cheap, else the
     * first 4 sequences (a float64 reference of the two large workloads would take minutes).
     */
    static int checkBatch(Workload w) {
        return checkBatch(w, 0);
    }

    /** {@link #checkBatch(Workload)}, or {@code requested} sequences (at most the batch) when it is positive. */
    static int checkBatch(Workload w, int requested) {
        if (requested > 0) {
            return Math.min(requested, w.batch());
        }
        return w.flopsPerStep() <= 20e9 ? w.batch() : Math.min(w.batch(), 4);
    }

    /**
     * Compares {@code got} (whole output, gradients of the first sequences) with {@code reference}
     * (output and gradients of the first sequences only; the batch-first output's prefix).
     *
     * @param outputSize    number of elements of the whole output {@code [B, T, H]}
     * @param tolerance     largest accepted error of the output
     * @param gradTolerance largest accepted error of a gradient
     */
    static Verdict compare(Impl.Outputs reference, Impl.Outputs got, long outputSize, double tolerance, double gradTolerance) {
        if (got.output() == null || got.output().length != outputSize || reference.output().length > outputSize) {
            return new Verdict(false, Double.POSITIVE_INFINITY, "output has " + (got.output() == null ? "no" : got.output().length)
                    + " elements, expected " + outputSize);
        }
        float[] prefix = got.output().length == reference.output().length ? got.output()
                : java.util.Arrays.copyOf(got.output(), reference.output().length);
        double outErr = relativeError(prefix, reference.output());
        double max = outErr;
        StringBuilder detail = new StringBuilder(String.format(Locale.ROOT, "output %.1e", outErr));
        boolean ok = outErr <= tolerance;
        if (!ok) {
            detail.append(String.format(Locale.ROOT, " > %.0e", tolerance));
        }
        if (!reference.grads().isEmpty() && !got.grads().isEmpty()) {
            double gradMax = 0;
            for (Map.Entry<String, float[]> e : reference.grads().entrySet()) {
                float[] g = got.grads().get(e.getKey());
                if (g == null) {
                    ok = false;
                    detail.append(", no gradient for ").append(e.getKey());
                    continue;
                }
                double err = relativeError(g, e.getValue());
                max = Double.isNaN(err) || err > max ? err : max;
                gradMax = Double.isNaN(err) || err > gradMax ? err : gradMax;
                if (!(err <= gradTolerance)) {
                    ok = false;
                    detail.append(String.format(Locale.ROOT, ", grad %s %.1e > %.0e", e.getKey(), err, gradTolerance));
                }
            }
            if (ok) {
                detail.append(String.format(Locale.ROOT, ", gradients <= %.1e", gradMax));
            }
        } else if (!reference.grads().isEmpty()) {
            detail.append(", gradients not compared");
        }
        if (Double.isNaN(max)) {
            ok = false;
        }
        return new Verdict(ok, max, detail.toString());
    }
}
