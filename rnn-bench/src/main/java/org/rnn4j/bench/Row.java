package org.rnn4j.bench;

import java.util.Arrays;

/**
 * One line of the result table: a workload (or the {@link Ceiling} product) on one implementation,
 * timed or with the reason it was not.
 *
 * @param ms        timed steps in milliseconds (empty unless {@link Status#OK})
 * @param peakBytes most memory the row held above what was in use before it (heap, garbage included,
 *                  plus off-heap; for torch the Python process's RSS growth); -1 when unknown
 * @param heapBytes the heap part of {@code peakBytes} (-1 for torch)
 * @param offBytes  the off-heap part of {@code peakBytes} (-1 for torch)
 * @param checkError largest norm-wise relative error of the check (outputs and gradients), NaN if not run
 * @param allocBytesPerStep Java heap bytes allocated per timed step by the JVM's threads (mean); -1 when
 *                  not measured (torch, rows not timed)
 */
public record Row(Subject workload, String impl, Status status, String detail, double[] ms, int warmup, long peakBytes,
                  long heapBytes, long offBytes, double checkError, long allocBytesPerStep) {

    /** How a row ended. */
    public enum Status {
        /** Checked and timed. */
        OK,
        /** The implementation cannot run this workload (e.g. DL4J has no GRU). */
        NOT_APPLICABLE,
        /** Its outputs differ from the reference: not timed. */
        FAILED_CHECK,
        /** Not run because a step would take longer than {@code --max-step} (predicted from the implementation's earlier rows). */
        SKIPPED,
        /** It threw. */
        ERROR
    }

    static Row notTimed(Subject w, String impl, Status s, String detail, double checkError) {
        return new Row(w, impl, s, detail, new double[0], 0, -1, -1, -1, checkError, -1);
    }

    public boolean timed() {
        return status == Status.OK && ms.length > 0;
    }

    private double[] sorted() {
        double[] s = ms.clone();
        Arrays.sort(s);
        return s;
    }

    /** Median step time in ms (NaN when not timed). */
    public double median() {
        if (!timed()) {
            return Double.NaN;
        }
        double[] s = sorted();
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    public double min() {
        return timed() ? sorted()[0] : Double.NaN;
    }

    public double max() {
        return timed() ? sorted()[ms.length - 1] : Double.NaN;
    }

    /** Effective GFLOP/s at the median step time. */
    public double gflops() {
        return timed() ? workload.gflops(median()) : Double.NaN;
    }

    /** Heap bytes allocated per step as a fraction of the step's tensor bytes ({@link Subject#tensorBytesPerStep}); NaN when unknown. */
    public double allocFraction() {
        return allocBytesPerStep < 0 ? Double.NaN : allocBytesPerStep / workload.tensorBytesPerStep();
    }

    /** Peak memory in MiB, NaN when unknown. */
    public double peakMb() {
        return peakBytes < 0 ? Double.NaN : peakBytes / (1024.0 * 1024.0);
    }
}
