package org.rnn4j.cuda;

import org.rnn4j.conformance.TensorOpsContract;

/** The shared tensor-ops contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaTensorOpsConformanceTest extends TensorOpsContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
