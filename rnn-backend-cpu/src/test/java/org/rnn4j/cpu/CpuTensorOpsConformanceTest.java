package org.rnn4j.cpu;

import org.rnn4j.conformance.TensorOpsContract;

/** The shared tensor-ops contract on the CPU backend. */
class CpuTensorOpsConformanceTest extends TensorOpsContract {
    @Override
    protected String backendName() {
        return "cpu";
    }

    /** The product first, then the sum: alpha = beta = 1 is exactly add(c, matmul(a, b)). */
    @Override
    protected boolean exactAccumulation() {
        return true;
    }
}
