package org.rnn4j.cpu;

import org.rnn4j.conformance.GoldenContract;

/** The shared golden contract on the CPU backend. */
class CpuGoldenConformanceTest extends GoldenContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
