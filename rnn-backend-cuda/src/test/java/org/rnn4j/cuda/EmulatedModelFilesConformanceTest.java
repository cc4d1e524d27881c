package org.rnn4j.cuda;

import org.rnn4j.conformance.ModelFilesContract;

/** The shared model-files contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedModelFilesConformanceTest extends ModelFilesContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
