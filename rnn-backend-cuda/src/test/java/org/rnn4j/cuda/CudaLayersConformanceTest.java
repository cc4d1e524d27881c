package org.rnn4j.cuda;

import org.rnn4j.conformance.LayersContract;

/** The shared layers contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaLayersConformanceTest extends LayersContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
