package org.rnn4j.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rnn4j.backend.BackendException;
import org.rnn4j.backend.Backends;
import org.rnn4j.cpu.launch.VectorLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar rnn-bench.jar}: runs the workloads on the chosen backends and peers, prints the
 * table, and writes the CSV and the chart. Exit status 0 when every row was timed or not applicable,
 * 1 when a row failed its check or threw, 2 for bad arguments.
 */
@Command(name = "rnn-bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Benchmarks rnn4j's backends against each other and against DL4J and PyTorch.",
                "Each implementation's outputs (and gradients) are checked against the cpu backend in float64 before it is timed.",
                "Export OPENBLAS_CORETYPE (e.g. SkylakeX) first: ND4J/DL4J read it from this process and torch inherits it."},
        footer = {"", "Workloads (all):", "  rnn-train-b32-t64-i128-h256", "  lstm-train-b32-t64-i128-h256", "  gru-train-b32-t64-i128-h256",
                "  lstm-train-b64-t100-i512-h1024", "  lstm-infer-b1-t256-i128-h256", "  lstm-infer-b64-t100-i512-h1024",
                "and any name {rnn|lstm|gru}-{train|infer}-b{B}-t{T}-i{I}-h{H}.", "",
                "Example:", "  export OPENBLAS_CORETYPE=SkylakeX",
                "  java -jar rnn-bench.jar --workloads all --backends all --peers dl4j,torch --ceiling --csv out.csv --plot out.png", "",
                "Exit status: 0 when every row was timed or is not applicable, 1 when a row failed its check or threw, 2 for bad arguments."})
public final class BenchMain implements Callable<Integer> {

    @Option(names = "--workloads", defaultValue = "all", paramLabel = "LIST", description = "comma list of workloads, or all (default: ${DEFAULT-VALUE})")
    String workloads;

    @Option(names = "--backends", defaultValue = "all", paramLabel = "LIST",
            description = "comma list of rnn4j backends, all (every available one) or none (default: ${DEFAULT-VALUE})")
    String backends;

    @Option(names = "--peers", defaultValue = "none", paramLabel = "LIST", description = "dl4j, torch, both (dl4j,torch or all), or none (default: ${DEFAULT-VALUE})")
    String peers;

    @Option(names = "--warmup", defaultValue = "2", description = "untimed steps per row (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--warmup-seconds", defaultValue = "5", paramLabel = "SECONDS",
            description = "go on warming up past --warmup steps until this long, at most a third of --budget: JIT-compiled code "
                    + "(the cpu backend's vector kernels, DL4J) reaches its speed only once compiled (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--iterations", defaultValue = "10", description = "timed steps per row, fewer where they would exceed --budget (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--budget", defaultValue = "20", paramLabel = "SECONDS",
            description = "time the timed steps of one row should take at most; at least 3 steps run (default: ${DEFAULT-VALUE})")
    double budget;

    @Option(names = "--max-step", defaultValue = "90", paramLabel = "SECONDS",
            description = "skip an implementation whose step, predicted from its earlier rows, would take longer (default: ${DEFAULT-VALUE})")
    double maxStep;

    @Option(names = "--threads", defaultValue = "0", description = "compute threads of every implementation; 0 = all cores (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--csv", paramLabel = "FILE", description = "write the timed rows as CSV (" + Report.CSV_HEADER + ")")
    Path csv;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "write a grouped bar chart of GFLOP/s per workload")
    Path plot;

    @Option(names = "--python", paramLabel = "PATH", description = "Python for the torch peer (default: /usr/bin/python3, then python3 on the PATH)")
    String python;

    @Option(names = "--tolerance", defaultValue = "1e-4", description = "largest norm-wise relative error of the outputs (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--grad-tolerance", defaultValue = "1e-3", description = "largest norm-wise relative error of a gradient (default: ${DEFAULT-VALUE})")
    double gradTolerance;

    @Option(names = "--check-batch", defaultValue = "0", paramLabel = "N",
            description = "sequences the float64 reference (and the gradient check) covers; 0 = all where a step is under 20 GFLOP, else 4")
    int checkBatch;

    @Option(names = "--ceiling", arity = "0..1", fallbackValue = "" + Ceiling.DEFAULT_SIZE, defaultValue = "0", paramLabel = "N",
            description = "also time a float32 [N,N] x [N,N] matrix product (workload ceiling-sgemm-N, default N = ${FALLBACK-VALUE}) on "
                    + "every selected backend: the machine's reference rate, through ND4J's BLAS (nd4j) and the cpu backend's own kernel (cpu)")
    int ceiling;

    @Option(names = "--seed", description = "data seed (default: one per workload, derived from its name)")
    Long seed;

    @Option(names = "--list", description = "list the workloads and the installed backends, then exit")
    boolean list;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;

    BenchMain(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (list) {
            out.println("workloads (all):");
            for (Workload w : Workload.CANONICAL) {
                out.printf("  %-34s %s, %.2f GFLOP per step%n", w.name(), w.describe(), w.flopsPerStep() / 1e9);
            }
            out.print(Backends.diagnostics());
            return 0;
        }
        if (warmup < 0 || !(warmupSeconds >= 0) || iterations < 1 || !(budget > 0) || !(maxStep > 0) || threads < 0 || checkBatch < 0 || !(tolerance > 0) || !(gradTolerance > 0)
                || ceiling < 0 || ceiling > 16384) {
            throw new CommandLine.ParameterException(spec.commandLine(), "expected --warmup >= 0, --warmup-seconds >= 0, --iterations >= 1, --budget > 0, --max-step > 0, "
                    + "--threads >= 0, positive tolerances and --ceiling N with 0 <= N <= 16384 (got " + ceiling + ")");
        }
        List<Workload> ws;
        List<String> bs;
        List<String> ps;
        try {
            ws = Workload.parseList(workloads);
            bs = Runner.resolveBackends(backends);
            ps = Runner.resolvePeers(peers);
        } catch (IllegalArgumentException | BackendException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (bs.isEmpty() && ps.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "nothing to run: no backend and no peer selected");
        }
        Runner.Config cfg = new Runner.Config(ws, bs, ps, warmup, warmupSeconds, iterations, threads, budget, python, tolerance, gradTolerance, seed, maxStep,
                checkBatch, ceiling);
        Runner.Results res = new Runner(cfg, err).run();
        Report.printTable(res, out);
        if (csv != null) {
            Report.writeCsv(res, csv);
            out.println("wrote " + csv);
        }
        if (plot != null) {
            Report.writePlot(res, plot);
            out.println("wrote " + plot);
        }
        boolean bad = res.rows().stream().anyMatch(r -> r.status() == Row.Status.FAILED_CHECK || r.status() == Row.Status.ERROR);
        return bad ? 1 : 0;
    }

    /** Runs the command with {@code args}, printing to {@code out}/{@code err}; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new BenchMain(out, err));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    /** Restarts the JVM with the vector API when it lacks it ({@link VectorLauncher}), then runs the command. */
    public static void main(String[] args) {
        VectorLauncher.relaunchIfNeeded(BenchMain.class, args);
        System.setProperty("java.awt.headless", "true");
        int code = run(System.out, System.err, args);
        System.exit(code);
    }
}
