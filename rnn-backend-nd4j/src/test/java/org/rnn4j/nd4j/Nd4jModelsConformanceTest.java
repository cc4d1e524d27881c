package org.rnn4j.nd4j;

import org.rnn4j.conformance.ModelsContract;

/** The shared models contract on the ND4J backend. */
class Nd4jModelsConformanceTest extends ModelsContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
