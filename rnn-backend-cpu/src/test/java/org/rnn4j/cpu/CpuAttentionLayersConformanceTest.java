package org.rnn4j.cpu;

import org.rnn4j.conformance.AttentionLayersContract;

/** The shared contract of layer norm and the attention layers on the CPU backend. */
class CpuAttentionLayersConformanceTest extends AttentionLayersContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
