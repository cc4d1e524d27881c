package org.rnn4j.nd4j;

import org.rnn4j.conformance.LayersContract;

/** The shared layers contract on the ND4J backend. */
class Nd4jLayersConformanceTest extends LayersContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
