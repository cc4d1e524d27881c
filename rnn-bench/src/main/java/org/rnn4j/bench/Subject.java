package org.rnn4j.bench;

/**
 * What one row of the table times: a recurrent {@link Workload}, or the {@link Ceiling} matrix product
 * that the workloads' GFLOP/s are compared with.
 */
interface Subject {

    /** The name in the table's and the CSV's {@code workload} column. */
    String name();

    /** Effective floating-point operations of one timed step. */
    double flopsPerStep();

    /**
     * Bytes of the tensors one step produces and reads, in float32 (inputs, activations, outputs and,
     * for training, their gradients and the parameters'): what the bytes a step allocates are compared with.
     */
    double tensorBytesPerStep();

    /** Effective GFLOP/s of a step that took {@code ms} milliseconds. */
    default double gflops(double ms) {
        return flopsPerStep() / (ms * 1e6);
    }
}
