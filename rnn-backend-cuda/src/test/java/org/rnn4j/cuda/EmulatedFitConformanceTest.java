package org.rnn4j.cuda;

import org.rnn4j.conformance.FitContract;

/** The shared fit (training loop) contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedFitConformanceTest extends FitContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
