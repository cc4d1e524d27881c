package org.rnn4j.nd4j;

import org.rnn4j.conformance.AutogradContract;

/** The shared autograd contract on the ND4J backend. */
class Nd4jAutogradConformanceTest extends AutogradContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
