package org.rnn4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnn4j.spi.Availability;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

class BackendsTest {

    @Test
    void oneBrokenProviderDoesNotHideTheOthers() {
        List<Backends.Discovered> found = Backends.discover();
        assertEquals(3, found.size(), found.toString());
        assertTrue(found.stream().anyMatch(d -> d.provider() == null && d.loadError().contains("broken provider jar")), found.toString());
        assertEquals(List.of("ghost", "ref"), List.copyOf(Backends.providers().keySet()));
    }

    @Test
    void highestAvailablePriorityWinsWhenNothingIsNamed() {
        // ghost has the higher priority but is unavailable
        assertEquals("ref", Backends.resolveName(null, null, null, Backends.providers()));
        assertEquals("ref", Backends.get().name());
    }

    @Test
    void explicitNameBeatsPropertyWhichBeatsEnvironment() {
        Map<String, BackendProvider> all = Backends.providers();
        BackendException e = assertThrows(BackendException.class, () -> Backends.resolveName("cuad", "ref", "ref", all));
        assertEquals("Unknown backend 'cuad' (from argument). Installed: ghost, ref", e.getMessage());
        e = assertThrows(BackendException.class, () -> Backends.resolveName(null, "cuad", "ref", all));
        assertEquals("Unknown backend 'cuad' (from system property rnn4j.backend). Installed: ghost, ref", e.getMessage());
        e = assertThrows(BackendException.class, () -> Backends.resolveName(null, null, "cuad", all));
        assertEquals("Unknown backend 'cuad' (from environment variable RNN4J_BACKEND). Installed: ghost, ref", e.getMessage());
        assertEquals("ref", Backends.resolveName(" REF ", null, "cuad", all));
    }

    @Test
    void getDiscoversProvidersOncePerCall() {
        Backends.get("ref");
        int before = TestProviders.Ref.INSTANCES.get();
        Backends.get("ref");
        assertEquals(before + 1, TestProviders.Ref.INSTANCES.get(), "ServiceLoader discovery runs once per Backends.get");
    }

    @Test
    void nullOptionsAreRejectedWithTheFix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("ref", null));
        assertTrue(e.getMessage().contains("BackendOptions.defaults()"), e.getMessage());
    }

    @Test
    void namedUnavailableBackendIsAnErrorNeverAFallback() {
        BackendException e = assertThrows(BackendException.class, () -> Backends.get("ghost"));
        assertEquals("Backend 'ghost' (from argument) is installed but unavailable: cuInit failed: libcuda.so.1 not found", e.getMessage());
    }

    @Test
    void systemPropertySelects() {
        System.setProperty(Backends.PROPERTY, "ghost");
        try {
            BackendException e = assertThrows(BackendException.class, Backends::get);
            assertTrue(e.getMessage().contains("from system property rnn4j.backend"), e.getMessage());
        } finally {
            System.clearProperty(Backends.PROPERTY);
        }
    }

    @Test
    void noProviderAndDuplicateNamesAreExplained() {
        BackendException e = assertThrows(BackendException.class, () -> Backends.resolveName(null, null, null, Map.of()));
        assertTrue(e.getMessage().startsWith("No rnn4j backend on the class path: add rnn-backend-cpu"), e.getMessage());
        BackendProvider a = new TestProviders.Ref();
        BackendProvider b = new TestProviders.Ref();
        e = assertThrows(BackendException.class, () -> Backends.index(List.of(new Backends.Discovered(a, null, "a.jar"),
                new Backends.Discovered(b, null, "b.jar"))));
        assertTrue(e.getMessage().startsWith("Two backend providers are named 'ref'"), e.getMessage());
    }

    @Test
    void backendsAreCreatedOnceAndShared() {
        assertSame(Backends.get("ref"), Backends.get("ref"));
    }

    @Test
    void aClosedBackendRefusesWorkAndIsCreatedAnew() {
        BackendOptions options = new BackendOptions(3);
        Backend b = Backends.get("ref", options);
        Tensor t = b.fromDoubles(new double[] {1, 2}, DType.FLOAT64, 2);
        b.close();
        b.close(); // idempotent
        String closed = "Backend 'ref' was closed and runs no more work; get an open one with Backends.get(\"ref\")";
        assertEquals(closed, assertThrows(IllegalStateException.class, () -> b.zeros(DType.FLOAT64, 2)).getMessage());
        assertEquals(closed, assertThrows(IllegalStateException.class, () -> ComputeBackend.of(b).add(t, t)).getMessage());
        assertArrayEquals(new double[] {1, 2}, t.toDoubleArray(), "tensors already made stay readable");
        Backend again = Backends.get("ref", options);
        assertNotSame(b, again);
        assertEquals(2.0, again.full(2, DType.FLOAT64).item());
    }

    @Test
    void diagnosticsListEveryProviderWithItsAvailability() {
        String d = Backends.diagnostics();
        assertTrue(d.contains("ghost") && d.contains("priority 100") && d.contains("unavailable: cuInit failed"), d);
        assertTrue(d.contains("ref") && d.contains("available"), d);
        assertTrue(d.contains("broken provider jar"), d);
        assertTrue(d.contains("default: ref"), d);
    }
}
