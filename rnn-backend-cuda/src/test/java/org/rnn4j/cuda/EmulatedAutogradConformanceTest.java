package org.rnn4j.cuda;

import org.rnn4j.conformance.AutogradContract;

/** The shared autograd contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedAutogradConformanceTest extends AutogradContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
