package org.rnn4j.nd4j;

import org.rnn4j.conformance.AttentionLayersContract;

/** The shared contract of layer norm and the attention layers on the ND4J backend. */
class Nd4jAttentionLayersConformanceTest extends AttentionLayersContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
