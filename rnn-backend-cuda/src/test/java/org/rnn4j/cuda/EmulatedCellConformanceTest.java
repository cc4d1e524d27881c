package org.rnn4j.cuda;

import org.rnn4j.conformance.CellContract;

/** The shared cell contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedCellConformanceTest extends CellContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
