package org.rnn4j.spi;

import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;

/**
 * Service-provider interface through which {@link Backends} discovers backends with
 * {@link java.util.ServiceLoader}. Register an implementation with {@code @AutoService(BackendProvider.class)}.
 *
 * <p>The constructor must be cheap and must never throw: native libraries are loaded in
 * {@link #availability()} (cached) or {@link #create}.
 */
public interface BackendProvider {

    /** Lower-case unique name, e.g. {@code cpu}, {@code nd4j}, {@code cuda}. */
    String name();

    /** Higher wins when no backend is named explicitly. */
    int priority();

    /** Version of the backend (and of its native library where it has one). */
    String version();

    /** Whether the backend can run here; never throws. */
    Availability availability();

    /** Starts the backend (the heavy native start-up happens here). */
    Backend create(BackendOptions options);
}
