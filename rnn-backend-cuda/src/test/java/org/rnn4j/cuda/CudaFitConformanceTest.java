package org.rnn4j.cuda;

import org.rnn4j.conformance.FitContract;

/** The shared fit (training loop) contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaFitConformanceTest extends FitContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
