package org.rnn4j.nd4j;

import org.rnn4j.conformance.TensorOpsContract;

/** The shared tensor-ops contract on the ND4J backend. */
class Nd4jTensorOpsConformanceTest extends TensorOpsContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }

    /** The product first (one gemm), then the sum: alpha = beta = 1 is exactly add(c, matmul(a, b)). */
    @Override
    protected boolean exactAccumulation() {
        return true;
    }
}
