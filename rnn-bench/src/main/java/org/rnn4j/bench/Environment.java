package org.rnn4j.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.rnn4j.backend.BackendProvider;
import org.rnn4j.backend.Backends;

/** The environment header of the output: JVM, CPU, OPENBLAS_CORETYPE, threads, backends and settings. */
final class Environment {
    static final String CORETYPE = "OPENBLAS_CORETYPE";

    private Environment() {
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** The line stating OPENBLAS_CORETYPE, with the advice when it is unset. */
    static String coretypeLine() {
        String v = System.getenv(CORETYPE);
        if (v == null || v.isBlank()) {
            return CORETYPE + " is unset: OpenBLAS (ND4J, DL4J, and torch where it uses OpenBLAS) picks its kernel by autodetection, "
                    + "which on some CPUs is about 5x slower than the right one; export " + CORETYPE + " (e.g. SkylakeX) before running";
        }
        return CORETYPE + "=" + v + " (the same for every implementation: ND4J/DL4J read it from this process, torch inherits it)";
    }

    static List<String> describe(Runner.Config cfg) {
        List<String> out = new ArrayList<>();
        out.add("rnn4j benchmark " + Nd4jInfo.mavenVersion("org.rnn4j", "rnn-bench").replace("?", "(dev build)") + ", "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        Runtime rt = Runtime.getRuntime();
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining("/"));
        out.add(String.format(Locale.ROOT, "JVM: %s %s (%s), max heap %.1f GiB, GC %s", System.getProperty("java.vm.name"),
                System.getProperty("java.vm.version"), System.getProperty("java.vm.vendor"), rt.maxMemory() / (1024.0 * 1024 * 1024), gcs));
        out.add(String.format(Locale.ROOT, "CPU: %s, %d cores; OS %s %s %s", cpuModel(), rt.availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch")));
        out.add(coretypeLine());
        out.add("threads: " + Runner.effectiveThreads(cfg) + " per implementation (" + (cfg.threads() > 0 ? "--threads"
                : "all cores; torch would otherwise pick its own count") + ")");
        for (BackendProvider p : Backends.providers().values()) {
            String sel = cfg.backends().contains(p.name()) ? "" : " (not selected)";
            out.add("backend " + p.name() + ": " + p.version() + ", priority " + p.priority() + ", " + p.availability() + sel);
        }
        if (cfg.backends().contains("nd4j") && !cfg.peers().contains("dl4j")) {
            out.add("  nd4j native: " + Nd4jInfo.describe());
        }
        out.add(String.format(Locale.ROOT, "timing: %d warmup and %d timed steps per row (fewer where they would take over %.0f s, at least %d);"
                        + " median, min-max in ms per step; GFLOP/s = 2*B*T*(I+H)*G*H per forward, x3 per training step",
                cfg.warmup(), cfg.iterations(), cfg.budgetSeconds(), Math.min(LocalTimer.MIN_ITERATIONS, cfg.iterations())));
        out.add(String.format(Locale.ROOT, "check before timing: same weights and data (seed %s) for all; output vs the cpu backend in float64, "
                        + "norm-wise rel err <= %.0e (gradients of the MSE loss <= %.0e)",
                cfg.seed() == null ? "per workload" : cfg.seed().toString(), cfg.tolerance(), cfg.gradTolerance()));
        return out;
    }
}
