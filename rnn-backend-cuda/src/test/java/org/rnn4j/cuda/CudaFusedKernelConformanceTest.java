package org.rnn4j.cuda;

import java.util.EnumSet;
import java.util.Set;
import org.rnn4j.conformance.FusedKernelContract;
import org.rnn4j.spi.KernelKind;

/** The shared fused-kernel contract on the CUDA backend (skips with the availability reason where there is no usable GPU). */
class CudaFusedKernelConformanceTest extends FusedKernelContract {
    @Override
    protected String backendName() {
        return CudaBackend.NAME;
    }

    /** The CUDA backend offers every kind. */
    @Override
    protected Set<KernelKind> expectedKinds() {
        return EnumSet.allOf(KernelKind.class);
    }
}
