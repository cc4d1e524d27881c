package org.rnn4j.cuda;

import com.google.auto.service.AutoService;
import org.rnn4j.spi.Availability;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;

/**
 * Test-only backend {@value #NAME}: the real {@link CudaBackend} (all its host code and kernels) on an
 * {@link EmulatedDevice} instead of a GPU, so that the conformance suite exercises the CUDA backend on
 * machines without one. Available where g++ is; priority 0, so it is used only when named.
 */
@AutoService(BackendProvider.class)
public final class EmulatedCudaBackendProvider implements BackendProvider {
    /** The name the emulated conformance tests select. */
    public static final String NAME = "cuda-emu";
    /**
     * Live bytes above which the emulated backend's allocator asks for a garbage collection: small, so that
     * the autograd's unclosed intermediates come back often and the cache serves most allocations.
     */
    static final long GC_THRESHOLD = 32L << 20;

    public EmulatedCudaBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String version() {
        return "cuda backend on the host emulator";
    }

    @Override
    public Availability availability() {
        String why = EmulatorBuild.unavailableReason();
        return why == null ? Availability.yes() : Availability.no(why);
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CudaBackend(NAME, version(), EmulatedDevice.start(), false, true, GC_THRESHOLD);
    }
}
