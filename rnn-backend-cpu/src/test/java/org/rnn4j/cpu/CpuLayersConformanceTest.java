package org.rnn4j.cpu;

import org.rnn4j.conformance.LayersContract;

/** The shared layers contract on the CPU backend. */
class CpuLayersConformanceTest extends LayersContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
