package org.rnn4j.cpu;

import org.rnn4j.conformance.AutogradContract;

/** The shared autograd contract on the CPU backend. */
class CpuAutogradConformanceTest extends AutogradContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
