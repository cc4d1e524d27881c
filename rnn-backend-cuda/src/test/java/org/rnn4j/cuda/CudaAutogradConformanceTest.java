package org.rnn4j.cuda;

import org.rnn4j.conformance.AutogradContract;

/** The shared autograd contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaAutogradConformanceTest extends AutogradContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
