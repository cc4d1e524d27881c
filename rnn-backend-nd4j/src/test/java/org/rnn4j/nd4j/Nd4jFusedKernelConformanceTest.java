package org.rnn4j.nd4j;

import java.util.EnumSet;
import java.util.Set;
import org.rnn4j.conformance.FusedKernelContract;
import org.rnn4j.spi.KernelKind;

/** The shared fused-kernel contract on the ND4J backend, which offers every kind. */
class Nd4jFusedKernelConformanceTest extends FusedKernelContract {
    @Override
    protected String backendName() {
        return "nd4j";
    }

    @Override
    protected Set<KernelKind> expectedKinds() {
        return EnumSet.allOf(KernelKind.class);
    }
}
