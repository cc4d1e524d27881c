package org.rnn4j.nd4j;

import org.rnn4j.conformance.ModelFilesContract;

/** The shared model-file contract on the ND4J backend. */
class Nd4jModelFilesConformanceTest extends ModelFilesContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
