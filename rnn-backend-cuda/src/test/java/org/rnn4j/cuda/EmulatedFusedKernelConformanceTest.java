package org.rnn4j.cuda;

import java.util.EnumSet;
import java.util.Set;
import org.rnn4j.conformance.FusedKernelContract;
import org.rnn4j.spi.KernelKind;

/** The shared fused-kernel contract on the CUDA backend's host and kernel code, with the kernels on the emulator. */
class EmulatedFusedKernelConformanceTest extends FusedKernelContract {
    @Override
    protected String backendName() {
        return EmulatedCudaBackendProvider.NAME;
    }

    /** The CUDA backend offers every kind. */
    @Override
    protected Set<KernelKind> expectedKinds() {
        return EnumSet.allOf(KernelKind.class);
    }
}
