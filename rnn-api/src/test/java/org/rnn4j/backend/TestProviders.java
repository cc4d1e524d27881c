package org.rnn4j.backend;

import org.rnn4j.spi.Availability;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.testing.RefBackend;

/** Providers registered for this module's tests only (see META-INF/services in test resources). */
public final class TestProviders {
    private TestProviders() {
    }

    /** Always available; creates the test-only reference backend. */
    public static final class Ref implements BackendProvider {
        /** How many times discovery has instantiated this provider (ServiceLoader makes one per discovery). */
        static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();

        public Ref() {
            INSTANCES.incrementAndGet();
        }

        @Override
        public String name() {
            return "ref";
        }

        @Override
        public int priority() {
            return 5;
        }

        @Override
        public String version() {
            return "test";
        }

        @Override
        public Availability availability() {
            return Availability.yes();
        }

        @Override
        public Backend create(BackendOptions options) {
            return new RefBackend();
        }
    }

    /** Installed but never available, with a reason. */
    public static final class Ghost implements BackendProvider {
        @Override
        public String name() {
            return "ghost";
        }

        @Override
        public int priority() {
            return 100;
        }

        @Override
        public String version() {
            return "0";
        }

        @Override
        public Availability availability() {
            return Availability.no("cuInit failed: libcuda.so.1 not found");
        }

        @Override
        public Backend create(BackendOptions options) {
            throw new IllegalStateException("ghost cannot start");
        }
    }

    /** A provider whose constructor throws, as a broken jar would. */
    public static final class Broken implements BackendProvider {
        public Broken() {
            throw new IllegalStateException("broken provider jar");
        }

        @Override
        public String name() {
            return "broken";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public String version() {
            return "0";
        }

        @Override
        public Availability availability() {
            return Availability.yes();
        }

        @Override
        public Backend create(BackendOptions options) {
            return null;
        }
    }
}
