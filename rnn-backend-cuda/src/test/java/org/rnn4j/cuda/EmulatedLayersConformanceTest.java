package org.rnn4j.cuda;

import org.rnn4j.conformance.LayersContract;

/** The shared layers contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedLayersConformanceTest extends LayersContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
