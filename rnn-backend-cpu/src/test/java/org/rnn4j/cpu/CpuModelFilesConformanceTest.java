package org.rnn4j.cpu;

import org.rnn4j.conformance.ModelFilesContract;

/** The shared model-file contract on the CPU backend. */
class CpuModelFilesConformanceTest extends ModelFilesContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
