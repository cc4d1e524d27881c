package org.rnn4j.cuda;

import org.rnn4j.conformance.AttentionLayersContract;

/** The shared attention-layers contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedAttentionLayersConformanceTest extends AttentionLayersContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }
}
