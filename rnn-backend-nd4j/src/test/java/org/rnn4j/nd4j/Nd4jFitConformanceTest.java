package org.rnn4j.nd4j;

import org.rnn4j.conformance.FitContract;

/** The shared training-loop contract on the ND4J backend. */
class Nd4jFitConformanceTest extends FitContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
