package org.rnn4j.cuda;

import org.rnn4j.conformance.CellContract;

/** The shared cell contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaCellConformanceTest extends CellContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
