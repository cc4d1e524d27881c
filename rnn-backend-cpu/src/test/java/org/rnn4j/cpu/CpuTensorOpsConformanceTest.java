package org.rnn4j.cpu;

import org.rnn4j.conformance.TensorOpsContract;

/** The shared tensor-ops contract on the CPU backend. */
class CpuTensorOpsConformanceTest extends TensorOpsContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
