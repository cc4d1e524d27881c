package org.rnn4j.cuda;

import org.rnn4j.conformance.ModelsContract;

/** The shared models contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaModelsConformanceTest extends ModelsContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
