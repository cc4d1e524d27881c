package org.rnn4j.nd4j;

import org.rnn4j.conformance.CellContract;

/** The shared cell contract on the ND4J backend. */
class Nd4jCellConformanceTest extends CellContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
