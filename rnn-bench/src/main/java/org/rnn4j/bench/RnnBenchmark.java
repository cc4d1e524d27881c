package org.rnn4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.backend.Backends;
import org.rnn4j.tensor.DType;

/**
 * The CLI's workloads under JMH: one training step or one forward pass per operation, on each rnn4j
 * backend (and {@code dl4j}), with the same weights and data as the CLI. The trial's setup checks the
 * outputs against the cpu backend in float64 and fails the trial if they differ.
 *
 * <pre>
 * java -cp rnn-bench/target/rnn-bench.jar org.openjdk.jmh.Main RnnBenchmark \
 *     -p backend=cpu,nd4j -p workload=lstm-train-b32-t64-i128-h256
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx8g", "-Djava.awt.headless=true", "--add-modules", "jdk.incubator.vector"})
public class RnnBenchmark {

    /** An rnn4j backend's name, or {@code dl4j}. */
    @Param({"cpu", "nd4j"})
    public String backend;

    /** A workload name (see {@link Workload}). */
    @Param({"rnn-train-b32-t64-i128-h256", "lstm-train-b32-t64-i128-h256", "gru-train-b32-t64-i128-h256",
            "lstm-train-b64-t100-i512-h1024", "lstm-infer-b1-t256-i128-h256", "lstm-infer-b64-t100-i512-h1024"})
    public String workload;

    /** Compute threads; 0 = the backend's default. */
    @Param({"0"})
    public int threads;

    private LocalImpl impl;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Workload w = Workload.parse(workload);
        WorkloadData data = WorkloadData.generate(w, WorkloadData.defaultSeed(w));
        BackendOptions options = new BackendOptions(threads);
        if (backend.equals("dl4j")) {
            impl = Dl4jImpl.create(data, threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
        } else {
            impl = new Rnn4jImpl(backend, Backends.get(backend, options), data, DType.FLOAT32);
        }
        int checkBatch = Check.checkBatch(w);
        Impl.Outputs ref = Rnn4jImpl.reference(Backends.get("cpu", options), data.firstSequences(checkBatch), DType.FLOAT64)
                .outputs(checkBatch);
        Check.Verdict v = Check.compare(ref, impl.outputs(checkBatch), w.outputSize(), 1e-4, 1e-3);
        if (!v.ok()) {
            throw new IllegalStateException(backend + " on " + workload + " FAILED-CHECK: " + v.detail());
        }
    }

    /** One training step or one forward pass. */
    @Benchmark
    public void step(Blackhole bh) throws Exception {
        impl.step();
        bh.consume(impl);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (impl != null) {
            impl.close();
        }
    }

    /** Runs this benchmark with the annotations' settings (all parameter combinations). */
    public static void main(String[] args) throws RunnerException {
        Options opt = new OptionsBuilder().include(RnnBenchmark.class.getSimpleName()).build();
        new Runner(opt).run();
    }
}
