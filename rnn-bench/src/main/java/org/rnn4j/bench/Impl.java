package org.rnn4j.bench;

import java.util.Map;

/**
 * One implementation (an rnn4j backend or a peer framework) set up for one workload with the
 * workload's weights. The runner first asks for {@link #outputs()} and compares them with the
 * reference; only an implementation that passes is timed.
 */
public interface Impl extends AutoCloseable {

    /** What the table calls this implementation: the backend's name, {@code dl4j}, {@code torch}. */
    String name();

    /**
     * The check pass, with the initial weights: the forward output {@code [B, T, H]} on the workload's
     * whole input and, for a training workload, the gradients (by PyTorch parameter name) of the
     * mean-squared-error loss of the first {@code gradBatch} sequences against their targets. Modifies
     * nothing that a later step sees.
     */
    Outputs outputs(int gradBatch) throws Exception;

    /**
     * Runs {@code warmup} untimed steps, and more until they have taken {@code warmupSeconds} (never past a
     * third of the budget), then up to {@code iterations} timed steps, within about {@code budgetSeconds};
     * {@code estimateSeconds} is the expected step time, used when there is no warmup.
     */
    Timing time(int warmup, double warmupSeconds, int iterations, double budgetSeconds, double estimateSeconds) throws Exception;

    /** Off-heap bytes this implementation holds now (JavaCPP for ND4J/DL4J), or 0 when not known. */
    default long offHeapBytes() {
        return 0;
    }

    /** A short note on which code path ran (collected per implementation under the table), or null. */
    default String note() {
        return null;
    }

    @Override
    void close();

    /** Results of the check pass. */
    record Outputs(float[] output, Map<String, float[]> grads) {
    }

    /**
     * Times of the timed steps in milliseconds, the warmup steps taken, the peak memory in bytes when
     * the implementation measured it itself (a separate process), else -1, and the Java heap bytes the
     * JVM's threads allocated per timed step (mean), -1 when not measured (another process).
     */
    record Timing(double[] ms, int warmup, long peakBytes, long allocBytesPerStep) {
    }

    /** Thrown by a factory when an implementation cannot run a workload at all (e.g. no GRU in DL4J). */
    final class NotApplicable extends Exception {
        public NotApplicable(String reason) {
            super(reason);
        }
    }
}
