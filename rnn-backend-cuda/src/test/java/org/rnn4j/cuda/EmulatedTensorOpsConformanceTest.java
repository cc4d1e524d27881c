package org.rnn4j.cuda;

import org.rnn4j.conformance.TensorOpsContract;

/** The shared tensor-ops contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedTensorOpsConformanceTest extends TensorOpsContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
