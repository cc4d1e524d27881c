package org.rnn4j.nd4j;

import com.google.auto.service.AutoService;
import org.rnn4j.spi.Availability;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.spi.BackendProvider;

/**
 * Registers the ND4J backend ({@value Nd4jBackend#NAME}). The constructor does nothing; ND4J's native
 * library is loaded by the first {@link #availability()} (cached for the process) or {@link #create}.
 *
 * <p>Priority {@value #PRIORITY}, below the plain-Java {@code cpu} backend (10), decided by measurement
 * ({@code Nd4jTiming} in this module's tests; 2 shared cores, load average 5-6, best of 11 interleaved
 * rounds): on the canonical training step (LSTM, batch 32, 64 steps, input 128, hidden 256, float32,
 * forward + backward + SGD) the cpu backend took 125 ms and this one 265 ms with ND4J's OpenBLAS as it
 * detects the CPU, and 164 ms against 188 ms with {@code OPENBLAS_CORETYPE=SkylakeX}. ND4J therefore runs
 * only when asked for: {@code -Drnn4j.backend=nd4j} or {@code RNN4J_BACKEND=nd4j}.
 */
@AutoService(BackendProvider.class)
public final class Nd4jBackendProvider implements BackendProvider {
    /** Selection priority when no backend is named. */
    public static final int PRIORITY = 5;

    /** Cheap; never throws. */
    public Nd4jBackendProvider() {
    }

    @Override
    public String name() {
        return Nd4jBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public String version() {
        try {
            return Nd4jRuntime.version();
        } catch (RuntimeException | LinkageError e) {
            return "nd4j-native " + Nd4jRuntime.nd4jVersion();
        }
    }

    @Override
    public Availability availability() {
        return Nd4jRuntime.availability();
    }

    @Override
    public Backend create(BackendOptions options) {
        return new Nd4jBackend(options);
    }
}
