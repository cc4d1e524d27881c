package org.rnn4j.nd4j;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.rnn4j.spi.Availability;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.backend.Backends;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/** Registration, availability, versions and diagnostics of the ND4J backend. */
class Nd4jBackendProviderTest {

    @Test
    void serviceLoaderFindsTheNd4jProvider() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            names.add(p.name());
        }
        assertTrue(names.contains("nd4j"), "providers found: " + names);
        assertInstanceOf(Nd4jBackendProvider.class, Backends.providers().get("nd4j"));
    }

    @Test
    void providerDescribesTheBackend() {
        Nd4jBackendProvider p = new Nd4jBackendProvider();
        assertEquals("nd4j", p.name());
        assertEquals(Nd4jBackendProvider.PRIORITY, p.priority());
        BackendProvider cpu = Backends.providers().get("cpu");
        assertNotNull(cpu, "the cpu backend is a test dependency");
        assertTrue(p.priority() < cpu.priority(), "nd4j must rank below cpu (measured slower): " + p.priority() + " vs " + cpu.priority());
        Availability a = p.availability();
        assertTrue(a.available(), "nd4j-native should load here: " + a);
        assertEquals("", a.reason());
        String v = p.version();
        assertTrue(v.startsWith("nd4j-native 1.0.0-M2.1 linux-x86_64"), v);
        assertTrue(v.contains("BLAS OPENBLAS"), v);
        assertTrue(v.endsWith("; " + Nd4jRuntime.CHOICE), v);
    }

    @Test
    void backendsCreatesTheBackendWithFusedCells() {
        ComputeBackend b = ComputeBackend.of(Backends.get("nd4j"));
        Nd4jBackend nd = assertInstanceOf(Nd4jBackend.class, b);
        assertEquals("nd4j", nd.name());
        assertTrue(nd.supports(DType.FLOAT32) && nd.supports(DType.FLOAT64));
        assertFalse(nd.supports(null));
        assertEquals(EnumSet.allOf(KernelKind.class), nd.fusedKinds());
        Recurrent l = Recurrent.builder(Cells.lstm(), 3, 4).backend(nd).build();
        assertTrue(l.explain().contains("fused:lstm_sequence"), l.explain());
        assertTrue(Backends.diagnostics().contains("nd4j"), Backends.diagnostics());
    }

    @Test
    void createHonoursTheThreadCount() {
        ComputeBackend b = ComputeBackend.of(new Nd4jBackendProvider().create(new BackendOptions(1)));
        assertEquals(1, org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads());
        assertEquals(1, ((Nd4jBackend) b).options().threads());
        // back to ND4J's default for the other tests
        new Nd4jBackendProvider().create(new BackendOptions(Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void loaderFailuresBecomeUnavailableWithTheLoadersMessage() {
        Availability a = Nd4jRuntime.probe(() -> {
            throw new UnsatisfiedLinkError("no jnind4jcpu in java.library.path: /usr/java/packages/lib");
        });
        assertFalse(a.available());
        assertTrue(a.reason().contains("UnsatisfiedLinkError") && a.reason().contains("no jnind4jcpu in java.library.path"), a.reason());
        assertTrue(a.reason().contains("nd4j-native") && a.reason().contains("linux-x86_64"), a.reason());

        Availability nested = Nd4jRuntime.probe(() -> {
            throw new ExceptionInInitializerError(new RuntimeException("ND4J backend: libnd4jcpu.so: cannot open shared object file"));
        });
        assertFalse(nested.available());
        assertTrue(nested.reason().contains("ExceptionInInitializerError") && nested.reason().contains("cannot open shared object file"),
                nested.reason());

        Availability noClass = Nd4jRuntime.probe(() -> {
            throw new NoClassDefFoundError("org/nd4j/linalg/factory/Nd4j");
        });
        assertTrue(noClass.reason().contains("org/nd4j/linalg/factory/Nd4j"), noClass.reason());
        assertTrue(Nd4jRuntime.probe(() -> null).available());
    }

    @Test
    void blasCheckJudgesTheRateAndNamesTheFix() {
        Nd4jDiagnostics.BlasCheck slow = Nd4jDiagnostics.judge(25, 2, "Prescott", null, "SkylakeX", true, true);
        assertTrue(slow.slow());
        assertTrue(slow.advice().contains("OPENBLAS_CORETYPE=SkylakeX"), slow.advice());
        assertTrue(slow.summary().contains("SLOW"), slow.summary());
        Nd4jDiagnostics.BlasCheck fast = Nd4jDiagnostics.judge(120, 2, "SkylakeX", "SkylakeX", null, true, true);
        assertFalse(fast.slow(), fast.summary());
        assertEquals("", fast.advice());
        Nd4jDiagnostics.BlasCheck busy = Nd4jDiagnostics.judge(20, 2, "SkylakeX", "SkylakeX", null, true, true);
        assertTrue(busy.slow());
        assertTrue(busy.advice().contains("busy"), busy.advice());
        assertFalse(busy.advice().contains("OPENBLAS_CORETYPE="), busy.advice());
    }

    @Test
    void describeReportsTheBlasAndTheCheck() {
        String d = Nd4jDiagnostics.describe();
        assertTrue(d.contains("availability: available"), d);
        assertTrue(d.contains("OpenBLAS: ") && d.contains("OPENBLAS_CORETYPE="), d);
        assertTrue(d.contains("BLAS check: sgemm 512^3: "), d);
        assertFalse(d.contains("diagnostics failed"), d);
        Nd4jDiagnostics.BlasCheck c = Nd4jDiagnostics.blasCheck();
        assertTrue(c.gflops() > 0.1, c.summary());
        if (c.core() != null && OpenBlasInfo.betterCoreType(c.core()) != null) {
            assertTrue(c.slow() && c.advice().contains("OPENBLAS_CORETYPE=" + OpenBlasInfo.betterCoreType(c.core())), c.summary());
        }
        System.out.print(d);
    }

    @Test
    void readingTheBlasCoreNameLeavesOpenBlasIntact() {
        // Regression: reading openblas_get_corename with JNA's default open flags (RTLD_GLOBAL) rebound OpenBLAS's
        // symbols between ND4J's two OpenBLAS copies; a few hundred small products later OpenBLAS aborted the JVM.
        assertNotNull(new Nd4jBackendProvider().version());
        OpenBlasInfo.coreName();
        ComputeBackend b = ComputeBackend.of(Backends.get("nd4j"));
        Tensor x = b.fromDoubles(new double[] {1, 2, 3, 4, 5, 6}, DType.FLOAT64, 2, 3);
        double total = 0;
        for (int i = 0; i < 1500; i++) {
            total += b.sum(b.matmul(x, x, i % 2 == 0, i % 2 != 0)).item();
        }
        assertTrue(Double.isFinite(total));
    }

    /**
     * A JVM without nd4j-native's native jar: the provider is installed but unavailable, with the loader's
     * reason, and selection falls through to the cpu backend.
     */
    @Test
    void withoutTheNativeJarTheBackendIsUnavailableAndSelectionFallsThrough() throws IOException, InterruptedException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = Stream.of(cp.split(File.pathSeparator))
                .filter(e -> !(e.contains("nd4j-native") && e.contains("linux-x86_64")))
                .collect(Collectors.toList());
        assertTrue(entries.size() < cp.split(File.pathSeparator).length, "the native jar was not on the class path: " + cp);
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, entries), Nd4jUnavailableProbe.class.getName());
        pb.redirectErrorStream(true);
        pb.environment().remove("RNN4J_BACKEND");
        Process proc = pb.start();
        byte[] out = proc.getInputStream().readAllBytes();
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS), "the probe JVM did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, proc.exitValue(), text);
        assertTrue(text.contains("nd4j available=false"), text);
        assertTrue(text.contains("reason=ND4J's native backend (nd4j-native) failed to load"), text);
        assertTrue(text.contains("selected=cpu"), text);
        assertTrue(text.contains("explicit=Backend 'nd4j' (from argument) is installed but unavailable"), text);
    }
}
