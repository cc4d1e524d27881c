package org.rnn4j.cpu;

import org.rnn4j.conformance.CellContract;

/** The shared cell contract on the CPU backend. */
class CpuCellConformanceTest extends CellContract {
    @Override
    protected String backendName() {
        return "cpu";
    }
}
