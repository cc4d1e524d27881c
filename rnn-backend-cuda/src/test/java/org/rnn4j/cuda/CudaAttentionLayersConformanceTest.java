package org.rnn4j.cuda;

import org.rnn4j.conformance.AttentionLayersContract;

/** The shared attention-layers contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaAttentionLayersConformanceTest extends AttentionLayersContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }
}
