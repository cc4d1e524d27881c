package org.rnn4j.nd4j;

import org.rnn4j.conformance.GoldenContract;

/** The shared golden contract on the ND4J backend. */
class Nd4jGoldenConformanceTest extends GoldenContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
