package org.rnn4j.cuda;

import org.rnn4j.conformance.GoldenContract;

/** The shared golden contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaGoldenConformanceTest extends GoldenContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
