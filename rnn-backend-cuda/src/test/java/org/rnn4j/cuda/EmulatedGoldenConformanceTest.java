package org.rnn4j.cuda;

import org.rnn4j.conformance.GoldenContract;

/** The shared golden contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedGoldenConformanceTest extends GoldenContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
