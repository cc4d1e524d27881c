package org.rnn4j.cpu;

import org.rnn4j.conformance.ModelsContract;

/** The shared models contract on the CPU backend. */
class CpuModelsConformanceTest extends ModelsContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
