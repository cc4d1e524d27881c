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
import org.rnn4j.spi.BackendProvider;
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

    /** OpenMP's settings, which ND4J/DL4J and torch (and their OpenBLAS) read from the environment at start-up. */
    static String ompLine() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        String n = System.getenv("OMP_NUM_THREADS");
        return "OMP_WAIT_POLICY=" + (policy == null ? "(unset)" : policy) + ", OMP_NUM_THREADS=" + (n == null ? "(unset)" : n)
                + (policy == null ? " (OpenMP's spinning threads compete with OpenBLAS's and other processes' threads, which slowed"
                + " DL4J and torch up to 5x on 2 cores: consider export OMP_WAIT_POLICY=PASSIVE)" : "");
    }

    /** A warning when the 1-minute load average says other processes compete for the cores, else null. */
    static String loadWarning(int cores) {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            double load = Double.parseDouble(f[0]);
            if (load > 0.5 * cores + 0.5) {
                return String.format(Locale.ROOT, "WARNING: load average %.2f on %d cores before the run: other processes compete for the CPUs, "
                        + "so timings are noisy (compare rows of one run only)", load, cores);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return null;
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
        out.add(ompLine());
        String load = loadWarning(rt.availableProcessors());
        if (load != null) {
            out.add(load);
        }
        out.add("threads: " + Runner.effectiveThreads(cfg) + " per implementation (" + (cfg.threads() > 0 ? "--threads"
                : "all cores; torch would otherwise pick its own count") + ")");
        for (BackendProvider p : Backends.providers().values()) {
            String sel = cfg.backends().contains(p.name()) ? "" : " (not selected)";
            out.add("backend " + p.name() + ": " + p.version() + ", priority " + p.priority() + ", " + p.availability() + sel);
        }
        if (cfg.backends().contains("nd4j") && !cfg.peers().contains("dl4j")) {
            out.add("  nd4j native: " + Nd4jInfo.describe());
        }
        out.add(String.format(Locale.ROOT, "timing: %d warmup steps, more until %.0f s, then %d timed steps per row (warmup at most a third of %.0f s,"
                        + " timed steps fewer where they would take longer, at least %d); median, min-max in ms per step;"
                        + " GFLOP/s = 2*B*T*(I+H)*G*H per forward, x3 per training step",
                cfg.warmup(), cfg.warmupSeconds(), cfg.iterations(), cfg.budgetSeconds(), Math.min(LocalTimer.MIN_ITERATIONS, cfg.iterations())));
        out.add(String.format(Locale.ROOT, "check before timing: same weights and data (seed %s) for all; output vs the cpu backend in float64 with composed cells (no fused kernel), "
                        + "norm-wise rel err <= %.0e, and gradients of the MSE loss <= %.0e; %s",
                cfg.seed() == null ? "per workload" : cfg.seed().toString(), cfg.tolerance(), cfg.gradTolerance(),
                cfg.checkBatch() > 0 ? "on the first " + cfg.checkBatch() + " sequences"
                        : "on the whole batch, or its first 4 sequences where a step exceeds 20 GFLOP"));
        return out;
    }
}
