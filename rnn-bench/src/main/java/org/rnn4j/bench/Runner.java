package org.rnn4j.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.backend.Backends;
import org.rnn4j.tensor.DType;

/**
 * Runs the benchmark: for each workload, generates its data, computes the reference (the cpu backend
 * in float64), then for each implementation checks its outputs against the reference and, if they
 * agree, times it.
 */
public final class Runner {

    /**
     * What to run.
     *
     * @param backends      rnn4j backend names, already resolved
     * @param peers         {@code dl4j} and/or {@code torch}
     * @param budgetSeconds the time a row's timed steps should take at most (at least 3 steps run)
     * @param tolerance     largest accepted norm-wise relative error of the outputs
     * @param gradTolerance largest accepted error of a gradient
     * @param seed          data seed; null for each workload's default
     * @param maxStepSeconds an implementation whose step is predicted (from its earlier rows) to take longer is skipped
     * @param checkBatch    sequences the float64 reference covers; 0 = all of them where a step is cheap, else 4
     * @param ceiling       size n of the {@link Ceiling} product timed on every selected backend after the workloads; 0 = none
     * @param warmupSeconds the warmup goes on past {@code warmup} steps until it has taken this long (capped by the budget)
     */
    public record Config(List<Workload> workloads, List<String> backends, List<String> peers, int warmup, double warmupSeconds, int iterations,
                         int threads, double budgetSeconds, String python, double tolerance, double gradTolerance, Long seed,
                         double maxStepSeconds, int checkBatch, int ceiling) {
    }

    /** Everything a report needs. */
    public record Results(Config config, List<String> environment, List<Row> rows, List<String> notes, double wallSeconds) {
    }

    private final Config cfg;
    private final PrintStream log;
    private final Map<String, Backend> started = new LinkedHashMap<>();
    private final Map<String, List<String>> notes = new LinkedHashMap<>();
    /** Best effective GFLOP/s each implementation reached so far, to predict its next step time. */
    private final Map<String, Double> bestGflops = new LinkedHashMap<>();

    public Runner(Config cfg, PrintStream log) {
        this.cfg = cfg;
        this.log = log;
    }

    /** The backend names {@code --backends} stands for: {@code all} = every available one, else the list (each checked). */
    public static List<String> resolveBackends(String spec) {
        List<String> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty() || p.equals("none")) {
                continue;
            }
            if (p.equals("all")) {
                for (BackendProvider bp : Backends.providers().values()) {
                    if (bp.availability().available() && !out.contains(bp.name())) {
                        out.add(bp.name());
                    }
                }
            } else if (!out.contains(p)) {
                out.add(Backends.resolveName(p)); // throws naming the installed backends, or why it is unavailable
            }
        }
        return out;
    }

    /** The peers {@code --peers} stands for ({@code all}, {@code none}, or a list of dl4j and torch). */
    public static List<String> resolvePeers(String spec) {
        List<String> out = new ArrayList<>();
        if (spec == null) {
            return out;
        }
        for (String part : spec.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty() || p.equals("none")) {
                continue;
            }
            if (p.equals("all")) {
                for (String q : List.of("dl4j", "torch")) {
                    if (!out.contains(q)) {
                        out.add(q);
                    }
                }
            } else if (p.equals("dl4j") || p.equals("torch")) {
                if (!out.contains(p)) {
                    out.add(p);
                }
            } else {
                throw new IllegalArgumentException("Unknown peer '" + part.trim() + "': expected dl4j, torch, all or none");
            }
        }
        return out;
    }

    private Backend backend(String name) {
        return started.computeIfAbsent(name, n -> Backends.get(n, new BackendOptions(cfg.threads())));
    }

    /** The thread count every implementation gets: {@code --threads}, or all cores when it is 0. */
    static int effectiveThreads(Config cfg) {
        return cfg.threads() > 0 ? cfg.threads() : Runtime.getRuntime().availableProcessors();
    }

    private void logf(String fmt, Object... args) {
        log.printf(Locale.ROOT, fmt + "%n", args);
        log.flush();
    }

    /** Runs every workload on every implementation; progress goes to the log. */
    public Results run() throws Exception {
        long t0 = System.nanoTime();
        List<String> env = Environment.describe(cfg);
        for (String line : env) {
            logf("%s", line);
        }
        TorchPeer torch = null;
        String torchSkip = null;
        if (cfg.peers().contains("torch")) {
            TorchPeer.Probe probe = TorchPeer.start(cfg.python(), effectiveThreads(cfg));
            torch = probe.peer();
            torchSkip = probe.whyNot();
            String line = torch != null ? "peer torch: " + torch.describe() : "peer torch: skipped: " + torchSkip;
            env.add(line);
            logf("%s", line);
        }
        boolean dl4j = cfg.peers().contains("dl4j");
        if (dl4j) {
            String line;
            try {
                line = "peer dl4j: Deeplearning4j " + Nd4jInfo.mavenVersion("org.deeplearning4j", "deeplearning4j-nn") + " on "
                        + Nd4jInfo.describe() + "; its rows run with " + Nd4jInfo.Threads.all(effectiveThreads(cfg));
            } catch (Throwable t) {
                line = "peer dl4j: cannot start ND4J: " + t;
                dl4j = false;
            }
            env.add(line);
            logf("%s", line);
        }
        Backend cpu;
        try {
            cpu = backend("cpu");
        } catch (RuntimeException e) {
            throw new IllegalStateException("The correctness check needs the cpu backend (rnn-backend-cpu) for its reference: " + e.getMessage(), e);
        }
        DType refType = cpu.supports(DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
        List<Row> rows = new ArrayList<>();
        try {
            int k = 0;
            for (Workload w : cfg.workloads()) {
                k++;
                long seed = cfg.seed() != null ? cfg.seed() : WorkloadData.defaultSeed(w);
                WorkloadData data = WorkloadData.generate(w, seed);
                int checkBatch = Check.checkBatch(w, cfg.checkBatch());
                long r0 = System.nanoTime();
                Impl.Outputs ref;
                try {
                    ref = Rnn4jImpl.reference(cpu, data.firstSequences(checkBatch), refType).outputs(checkBatch);
                } catch (RuntimeException | OutOfMemoryError e) {
                    String why = "the reference failed, so nothing was checked or timed: " + e;
                    logf("[%d/%d] %s: %s", k, cfg.workloads().size(), w.name(), why);
                    for (String impl : implNames(dl4j, torch != null)) {
                        rows.add(Row.notTimed(w, impl, Row.Status.ERROR, why, Double.NaN));
                    }
                    continue;
                }
                logf("[%d/%d] %s (%s, %.2f GFLOP per step): reference on cpu in %s%s took %.1f s", k, cfg.workloads().size(), w.name(),
                        w.describe(), w.flopsPerStep() / 1e9, refType,
                        checkBatch == w.batch() ? "" : " for the first " + checkBatch + " sequences", (System.nanoTime() - r0) / 1e9);
                for (String b : cfg.backends()) {
                    rows.add(runRow(w, checkBatch, w.outputSize(), w.train(), b, ref, () -> new Rnn4jImpl(b, backend(b), data, DType.FLOAT32), () -> 0));
                }
                if (dl4j) {
                    rows.add(runRow(w, checkBatch, w.outputSize(), w.train(), "dl4j", ref, () -> Dl4jImpl.create(data, effectiveThreads(cfg)),
                            Nd4jInfo::javacppBytes));
                }
                if (torch != null) {
                    TorchPeer t = torch;
                    rows.add(runRow(w, checkBatch, w.outputSize(), w.train(), "torch", ref, () -> t.open(data), () -> 0));
                }
            }
            if (cfg.ceiling() > 0) {
                Ceiling c = new Ceiling(cfg.ceiling());
                Ceiling.Data data = new Ceiling.Data(c, cfg.seed() != null ? cfg.seed() : 2048);
                Impl.Outputs ref = data.reference();
                logf("[ceiling] %s (%s, %.2f GFLOP per step): checked on %d elements against float64 dot products", c.name(), c.describe(),
                        c.flopsPerStep() / 1e9, ref.output().length);
                for (String b : cfg.backends()) {
                    rows.add(runRow(c, 0, ref.output().length, false, b, ref, () -> new Ceiling.OnBackend(b, backend(b), data), () -> 0));
                }
            }
        } finally {
            if (torch != null) {
                torch.close();
            }
        }
        List<String> noteLines = new ArrayList<>();
        notes.forEach((impl, list) -> {
            if (!list.isEmpty()) {
                noteLines.add(impl + ": " + String.join("; ", list));
            }
        });
        return new Results(cfg, env, rows, noteLines, (System.nanoTime() - t0) / 1e9);
    }

    private List<String> implNames(boolean dl4j, boolean torch) {
        List<String> names = new ArrayList<>(cfg.backends());
        if (dl4j) {
            names.add("dl4j");
        }
        if (torch) {
            names.add("torch");
        }
        return names;
    }

    /** Creates one implementation. */
    interface Factory {
        Impl create() throws Exception;
    }

    /**
     * Checks and times one implementation on {@code w}: {@code checkBatch} is the check pass's argument,
     * {@code outputSize} the elements of its whole output, {@code train} whether the check also ran backward.
     */
    private Row runRow(Subject w, int checkBatch, long outputSize, boolean train, String name, Impl.Outputs ref, Factory factory,
                       LongSupplier offHeap) {
        Impl impl = null;
        double err = Double.NaN;
        Double best = w instanceof Workload ? bestGflops.get(name) : null;
        if (best != null && w.flopsPerStep() / (best * 1e9) > cfg.maxStepSeconds()) {
            String why = String.format(Locale.ROOT, "a step would take about %.0f s at the %.2f GFLOP/s of its earlier rows, over --max-step %.0f s",
                    w.flopsPerStep() / (best * 1e9), best, cfg.maxStepSeconds());
            logf("  %-6s skipped: %s", name, why);
            return Row.notTimed(w, name, Row.Status.SKIPPED, why, err);
        }
        try (MemoryProbe mem = new MemoryProbe(offHeap)) {
            try {
                impl = factory.create();
            } catch (Impl.NotApplicable e) {
                logf("  %-6s n/a: %s", name, e.getMessage());
                return Row.notTimed(w, name, Row.Status.NOT_APPLICABLE, e.getMessage(), err);
            }
            String note = impl.note();
            List<String> mine = notes.computeIfAbsent(name, k -> new ArrayList<>());
            if (note != null && !mine.contains(note)) {
                mine.add(note);
            }
            long c0 = System.nanoTime();
            Impl.Outputs got = impl.outputs(checkBatch);
            double checkSeconds = (System.nanoTime() - c0) / 1e9;
            Check.Verdict v = Check.compare(ref, got, outputSize, cfg.tolerance(), cfg.gradTolerance());
            err = v.maxError();
            if (!v.ok()) {
                logf("  %-6s FAILED-CHECK: %s", name, v.detail());
                return Row.notTimed(w, name, Row.Status.FAILED_CHECK, v.detail(), err);
            }
            // the check ran a forward pass (and, for training, forward and backward of checkBatch sequences): a step's estimate
            double estimate = train && w instanceof Workload wl ? checkSeconds * 3 / (1 + 3.0 * checkBatch / wl.batch()) : checkSeconds;
            // a check that took long has warmed up the code already; a slow row's warmup would cost minutes
            int warmup = checkSeconds > cfg.budgetSeconds() / 4 ? 0 : cfg.warmup();
            Impl.Timing t = impl.time(warmup, warmup == 0 ? 0 : cfg.warmupSeconds(), cfg.iterations(), cfg.budgetSeconds(), estimate);
            long heap = t.peakBytes() >= 0 ? -1 : mem.heap();
            long off = t.peakBytes() >= 0 ? -1 : mem.offHeap();
            long peak = t.peakBytes() >= 0 ? t.peakBytes() : heap + off;
            Row row = new Row(w, name, Row.Status.OK, v.detail(), t.ms(), t.warmup(), peak, heap, off, err, t.allocBytesPerStep());
            if (w instanceof Workload) {
                bestGflops.merge(name, row.gflops(), Math::max);
            }
            logf("  %-6s check ok (%s); %d warmup + %d timed steps, median %.2f ms, %.2f GFLOP/s%s", name, v.detail(), t.warmup(),
                    t.ms().length, row.median(), row.gflops(), t.allocBytesPerStep() < 0 ? ""
                            : String.format(Locale.ROOT, ", %.3f MB allocated per step", t.allocBytesPerStep() / 1048576.0));
            return row;
        } catch (Throwable e) {
            String msg = e.getMessage() != null ? e.getMessage() : e.toString();
            if (e instanceof OutOfMemoryError) {
                msg = "out of memory (" + msg + "); raise -Xmx";
            }
            logf("  %-6s ERROR: %s", name, msg);
            if (!(e instanceof java.io.IOException)) {
                e.printStackTrace(log);
            }
            return Row.notTimed(w, name, Row.Status.ERROR, msg, err);
        } finally {
            if (impl != null) {
                try {
                    impl.close();
                } catch (RuntimeException e) {
                    logf("  %-6s close failed: %s", name, e);
                }
            }
        }
    }
}
