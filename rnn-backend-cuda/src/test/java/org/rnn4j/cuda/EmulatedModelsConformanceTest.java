package org.rnn4j.cuda;

import org.rnn4j.conformance.ModelsContract;

/** The shared models contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedModelsConformanceTest extends ModelsContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
