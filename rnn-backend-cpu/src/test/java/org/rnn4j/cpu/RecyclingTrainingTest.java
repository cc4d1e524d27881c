package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.Losses;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Trainer;

/**
 * Training with array recycling (the pool on, each step's graph released by {@link Trainer}) against the
 * same training without it (pool capacity 0, {@code releaseGraphs(false)}: every array is new): the
 * parameters must be equal bit for bit after every step. And the steady-state step of a training loop
 * allocates less than 1% of its tensor bytes.
 */
class RecyclingTrainingTest {

    enum Kind {
        LSTM(Cells::lstm), GRU(Cells::gru), RNN_TANH(Cells::rnnTanh);

        final java.util.function.Supplier<Cell> cell;

        Kind(java.util.function.Supplier<Cell> cell) {
            this.cell = cell;
        }
    }

    private static final int B = 5;
    private static final int T = 7;
    private static final int I = 6;
    private static final int H = 8;

    /** Parameters (by name, as float64 values) after each of {@code steps} training steps. */
    private static List<Map<String, double[]>> train(Kind kind, DType dtype, boolean recycle, int steps,
                                                     Function<Recurrent, Function<Integer, Var>> lossOf) {
        CpuBackend be = new CpuBackend(BackendOptions.defaults(), recycle ? 1L << 26 : 0);
        try {
            Recurrent layer = Recurrent.builder(kind.cell.get(), I, H).numLayers(2).bidirectional(true).backend(be).dtype(dtype).seed(7).build();
            Trainer trainer = new Trainer(layer, Adam.builder(layer.parameters().values()).lr(0.01).build()).releaseGraphs(recycle);
            Function<Integer, Var> loss = lossOf.apply(layer);
            List<Map<String, double[]>> out = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                int step = s;
                trainer.step(() -> loss.apply(step));
                Map<String, double[]> p = new LinkedHashMap<>();
                layer.parameters().forEach((name, v) -> p.put(name, v.value().toDoubleArray()));
                out.add(p);
            }
            if (recycle) {
                assertTrue(be.pooledBytes() > 0, "the recycling run must have put arrays back into the pool");
            }
            return out;
        } finally {
            be.close();
        }
    }

    /** Per step: random inputs and targets of a padded batch (lengths 7, 3, 7, 1, 5), MSE over the output. */
    private static Function<Recurrent, Function<Integer, Var>> paddedMse(DType dtype) {
        return layer -> step -> {
            Random rnd = new Random(100 + step);
            var be = layer.parameters().values().iterator().next().backend();
            Var x = Var.constant(be.fromDoubles(TestSupport.random(rnd, B * T * I), dtype, B, T, I));
            Var target = Var.constant(be.fromDoubles(TestSupport.random(rnd, B * T * 2 * H), dtype, B, T, 2 * H));
            return Losses.mse(layer.forward(x, new int[] {7, 3, 7, 1, 5}, null).output(), target);
        };
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void recycledTrainingGivesBitIdenticalParametersFloat32(Kind kind) {
        assertSame(train(kind, DType.FLOAT32, false, 4, paddedMse(DType.FLOAT32)), train(kind, DType.FLOAT32, true, 4, paddedMse(DType.FLOAT32)));
    }

    @Test
    void recycledTrainingGivesBitIdenticalParametersFloat64() {
        assertSame(train(Kind.LSTM, DType.FLOAT64, false, 3, paddedMse(DType.FLOAT64)), train(Kind.LSTM, DType.FLOAT64, true, 3, paddedMse(DType.FLOAT64)));
    }

    /** Truncated BPTT: the state carried from chunk to chunk (detached) stays usable after each released step. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void carriedStateSurvivesTheReleaseAndTrainsIdentically(Kind kind) {
        Function<Recurrent, Function<Integer, Var>> streaming = layer -> step -> {
            Random rnd = new Random(200 + step);
            var be = layer.parameters().values().iterator().next().backend();
            Var x = Var.constant(be.fromDoubles(TestSupport.random(rnd, B * T * I), DType.FLOAT32, B, T, I));
            Var target = Var.constant(be.fromDoubles(TestSupport.random(rnd, B * T * H), DType.FLOAT32, B, T, H));
            return Losses.mse(layer.forwardStateful(x), target);
        };
        Function<Recurrent, Function<Integer, Var>> oneDirection = layer -> streaming.apply(layer);
        assertSame(trainStreaming(kind, false, oneDirection), trainStreaming(kind, true, oneDirection));
    }

    private static List<Map<String, double[]>> trainStreaming(Kind kind, boolean recycle, Function<Recurrent, Function<Integer, Var>> lossOf) {
        CpuBackend be = new CpuBackend(BackendOptions.defaults(), recycle ? 1L << 26 : 0);
        try {
            Recurrent layer = Recurrent.builder(kind.cell.get(), I, H).backend(be).dtype(DType.FLOAT32).seed(9).build();
            Trainer trainer = new Trainer(layer, SGD.builder(layer.parameters().values()).lr(0.05).momentum(0.9).build()).releaseGraphs(recycle);
            Function<Integer, Var> loss = lossOf.apply(layer);
            List<Map<String, double[]>> out = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int step = s;
                trainer.step(() -> loss.apply(step));
                Map<String, double[]> p = new LinkedHashMap<>();
                layer.parameters().forEach((name, v) -> p.put(name, v.value().toDoubleArray()));
                p.put("carried state", layer.state().get(0).toDoubleArray());
                out.add(p);
            }
            return out;
        } finally {
            be.close();
        }
    }

    private static void assertSame(List<Map<String, double[]>> expected, List<Map<String, double[]>> actual) {
        assertEquals(expected.size(), actual.size());
        for (int s = 0; s < expected.size(); s++) {
            assertEquals(expected.get(s).keySet(), actual.get(s).keySet());
            for (String name : expected.get(s).keySet()) {
                assertArrayEquals(expected.get(s).get(name), actual.get(s).get(name), 0.0, "step " + (s + 1) + ", " + name);
            }
        }
    }

    @Test
    void aValueOfAReleasedStepThrowsClosedAndLeavesAndGradientsStayOpen() {
        CpuBackend be = new CpuBackend(BackendOptions.defaults(), 1L << 24);
        try {
            Recurrent layer = Recurrent.builder(Cells.lstm(), I, H).backend(be).dtype(DType.FLOAT32).seed(1).build();
            Random rnd = new Random(5);
            Var x = Var.constant(be.fromDoubles(TestSupport.random(rnd, B * T * I), DType.FLOAT32, B, T, I));
            Var target = Var.constant(be.fromDoubles(TestSupport.random(rnd, B * T * H), DType.FLOAT32, B, T, H));
            Recurrent.Output[] kept = new Recurrent.Output[1];
            Var[] detached = new Var[1];
            Trainer trainer = new Trainer(layer, SGD.builder(layer.parameters().values()).lr(0.1).build());
            trainer.accumulate(() -> {
                kept[0] = layer.forward(x);
                detached[0] = kept[0].finalState().get(0).detach();
                return Losses.mse(kept[0].output(), target);
            }, 1.0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept[0].output().value().toFloatArray());
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> kept[0].finalState().get(1).value().toFloatArray());
            assertEquals(B * H, detached[0].value().toFloatArray().length, "a detached value stays open");
            assertEquals(B * T * I, x.value().toFloatArray().length, "inputs stay open");
            for (Var p : layer.parameters().values()) {
                assertEquals(p.value().size(), p.grad().toDoubleArray().length, "gradients stay open until zeroGrad");
            }
            trainer.update();
        } finally {
            be.close();
        }
    }

    /**
     * A steady-state training step (LSTM float32, SGD, Trainer) allocates less
     * than 1% of its tensor bytes on the Java heap, counted by HotSpot's per-thread allocation counters
     * over every thread (the backend's helper threads included). Measured in a fresh JVM (with or without
     * the vector module, as this one runs): in this JVM the other tests' products of other shapes leave
     * the vector kernels compiled generically, and such code boxes every vector.
     */
    @ParameterizedTest(name = "B={0} T={1} I={2} H={3}")
    @org.junit.jupiter.params.provider.CsvSource({
        "32, 32, 64, 128",
        "16, 32, 300, 160", // an input projection whose product tasks pack A whole and go over C in chunks (VectorGemm.chunked)
    })
    void aSteadyStateStepAllocatesUnderOnePercentOfItsTensorBytes(int batch, int steps, int input, int hidden) throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SteadyStep.class.getName(), String.valueOf(batch), String.valueOf(steps),
                String.valueOf(input), String.valueOf(hidden)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        String last = out.lines().filter(l -> l.startsWith("STEP ")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(out));
        String[] f = last.split(" ");
        double best = Double.parseDouble(f[1]);
        double tensorBytes = Double.parseDouble(f[2]);
        assertTrue(best > 0, "no allocation counted at all: " + last);
        assertTrue(best < 0.01 * tensorBytes, String.format("a steady-state step allocated %.0f bytes, %.2f%% of its %.0f tensor bytes"
                + " (bound 1%%)", best, 100 * best / tensorBytes, tensorBytes));
    }

    /**
     * The child JVM of {@link #aSteadyStateStepAllocatesUnderOnePercentOfItsTensorBytes}: trains, then
     * measures groups of three steps until one meets the bound (the JIT compiles the kernels in the
     * background) or 60 seconds pass; prints {@code STEP <least bytes per step> <tensor bytes per step>}. Arguments: B T I H.
     */
    public static final class SteadyStep {
        public static void main(String[] args) {
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            int b = Integer.parseInt(args[0]);
            int t = Integer.parseInt(args[1]);
            int in = Integer.parseInt(args[2]);
            int h = Integer.parseInt(args[3]);
            // as the benchmark counts them: input, gate activations, outputs and cell states, parameters; x2 for training
            double tensorBytes = 2 * 4.0 * ((double) b * t * (in + 4 * h + 2 * h) + 4.0 * h * (in + h + 2));
            CpuBackend be = new CpuBackend(BackendOptions.defaults());
            Recurrent layer = Recurrent.builder(Cells.lstm(), in, h).backend(be).dtype(DType.FLOAT32).seed(1).build();
            Random rnd = new Random(11);
            Var x = Var.constant(be.fromDoubles(TestSupport.random(rnd, b * t * in), DType.FLOAT32, b, t, in));
            Var target = Var.constant(be.fromDoubles(TestSupport.random(rnd, b * t * h), DType.FLOAT32, b, t, h));
            Trainer trainer = new Trainer(layer, SGD.builder(layer.parameters().values()).lr(0.01).build());
            java.util.function.Supplier<Var> loss = () -> Losses.mse(layer.forward(x).output(), target);
            for (int i = 0; i < 10; i++) {
                trainer.step(loss);
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            double best = Double.MAX_VALUE;
            while (System.nanoTime() < deadline && best >= 0.01 * tensorBytes) {
                long[] ids = Thread.getAllStackTraces().keySet().stream().mapToLong(Thread::getId).toArray();
                long a0 = sum(mx.getThreadAllocatedBytes(ids));
                for (int i = 0; i < 3; i++) {
                    trainer.step(loss);
                }
                long a1 = sum(mx.getThreadAllocatedBytes(ids));
                best = Math.min(best, (a1 - a0) / 3.0);
            }
            System.out.println("STEP " + best + " " + tensorBytes);
            be.close();
        }
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) {
            s += Math.max(0, x);
        }
        return s;
    }
}
