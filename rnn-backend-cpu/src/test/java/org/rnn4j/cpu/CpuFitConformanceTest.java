package org.rnn4j.cpu;

import org.rnn4j.conformance.FitContract;

/** The shared training-loop contract on the CPU backend. */
class CpuFitConformanceTest extends FitContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
