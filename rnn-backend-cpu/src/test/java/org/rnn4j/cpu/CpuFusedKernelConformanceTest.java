package org.rnn4j.cpu;

import java.util.EnumSet;
import java.util.Set;
import org.rnn4j.conformance.FusedKernelContract;
import org.rnn4j.spi.KernelKind;

/** The shared fused-kernel contract on the CPU backend, which offers every kind. */
class CpuFusedKernelConformanceTest extends FusedKernelContract {
    @Override
    protected String backendName() {
        return "cpu";
    }

    @Override
    protected Set<KernelKind> expectedKinds() {
        return EnumSet.allOf(KernelKind.class);
    }
}
