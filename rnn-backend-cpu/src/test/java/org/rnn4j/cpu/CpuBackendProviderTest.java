package org.rnn4j.cpu;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.backend.Backends;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/** Registration of the CPU backend through {@link ServiceLoader} and {@link Backends}. */
class CpuBackendProviderTest {

    @Test
    void serviceLoaderFindsTheCpuProvider() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            names.add(p.name());
        }
        assertTrue(names.contains("cpu"), "providers found: " + names);
    }

    @Test
    void providerDescribesTheBackend() {
        CpuBackendProvider p = new CpuBackendProvider();
        assertEquals("cpu", p.name());
        assertEquals(10, p.priority());
        assertTrue(p.availability().available());
        assertEquals("", p.availability().reason());
        assertTrue(p.version().contains(" (pure Java; matrix products ") && p.version().endsWith(")"), p.version());
        assertFalse(p.version().startsWith("unknown"), "the version comes from the manifest or version.properties: " + p.version());
    }

    @Test
    void createHonoursTheThreadCount() {
        ComputeBackend b = ComputeBackend.of(new CpuBackendProvider().create(new BackendOptions(3)));
        CpuBackend cpu = assertInstanceOf(CpuBackend.class, b);
        assertEquals(3, cpu.threads());
        assertEquals("cpu", cpu.name());
        assertEquals(new CpuBackendProvider().version(), cpu.version());
        assertTrue(cpu.supports(DType.FLOAT32) && cpu.supports(DType.FLOAT64));
        assertFalse(cpu.supports(null));
    }

    @Test
    void closeStopsTheHelperThreadsAndTheBackendRefusesWork() throws InterruptedException {
        CpuBackend cpu = new CpuBackend(new BackendOptions(3));
        Set<Thread> before = cpuThreads();
        Tensor a = cpu.full(1, DType.FLOAT32, 256, 256);
        cpu.matmul(a, a, false, false); // 2^24 multiply-adds: split across the helper threads
        Set<Thread> helpers = cpuThreads();
        helpers.removeAll(before);
        assertFalse(helpers.isEmpty(), "a large product starts helper threads");
        cpu.close();
        for (Thread t : helpers) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " still runs after close()");
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cpu.matmul(a, a, false, false));
        assertEquals("Backend 'cpu' was closed and runs no more work; get an open one with Backends.get(\"cpu\")", e.getMessage());
        assertEquals(256.0, a.toDoubleArray()[0] * 256, "tensors made before stay readable");
    }

    private static Set<Thread> cpuThreads() {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("rnn4j-cpu-")) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void backendsSelectsTheCpuBackendByName() {
        assertInstanceOf(CpuBackend.class, Backends.get("cpu"));
        assertTrue(Backends.diagnostics().contains("cpu"));
    }
}
