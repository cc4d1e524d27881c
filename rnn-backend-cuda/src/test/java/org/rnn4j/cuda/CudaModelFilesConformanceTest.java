package org.rnn4j.cuda;

import org.rnn4j.conformance.ModelFilesContract;

/** The shared model-files contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaModelFilesConformanceTest extends ModelFilesContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
