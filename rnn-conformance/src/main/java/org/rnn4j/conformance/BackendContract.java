package org.rnn4j.conformance;

import org.junit.jupiter.api.Assumptions;
import org.rnn4j.spi.Availability;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.backend.Backends;
import org.rnn4j.tensor.DType;

/**
 * Base of every contract: a subclass names the backend under test. A backend that is installed but
 * unavailable here (no GPU, no native library) makes every test skip with the availability reason; a
 * backend that is not installed at all fails.
 */
public abstract class BackendContract {

    /** The name of the backend under test, e.g. {@code "cpu"}. */
    protected abstract String backendName();

    /** The backend under test; aborts (skips) the test with the availability reason when unavailable. */
    protected final ComputeBackend backend() {
        BackendProvider p = Backends.providers().get(backendName());
        if (p == null) {
            throw new AssertionError("ComputeBackend '" + backendName() + "' is not on the test class path; installed: "
                    + Backends.providers().keySet());
        }
        Availability a = p.availability();
        if (!a.available()) {
            System.out.println("[rnn4j conformance] skipping: backend '" + backendName() + "' unavailable: " + a.reason());
        }
        Assumptions.assumeTrue(a.available(), () -> "backend '" + backendName() + "' unavailable: " + a.reason());
        return ComputeBackend.of(Backends.get(backendName()));
    }

    /** Skips, naming the capability, when the backend cannot create {@code dtype} tensors. */
    protected final ComputeBackend backendFor(DType dtype) {
        ComputeBackend b = backend();
        Assumptions.assumeTrue(b.supports(dtype), () -> "backend '" + backendName() + "' does not support " + dtype);
        return b;
    }
}
