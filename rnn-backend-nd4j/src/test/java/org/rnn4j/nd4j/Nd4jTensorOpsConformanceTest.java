package org.rnn4j.nd4j;

import org.rnn4j.conformance.TensorOpsContract;

/** The shared tensor-ops contract on the ND4J backend. */
class Nd4jTensorOpsConformanceTest extends TensorOpsContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }
}
