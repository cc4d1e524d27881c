package org.rnn4j.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.optim.Adagrad;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.optim.RMSprop;
import org.rnn4j.optim.SGD;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.testing.RefBackend;

/** State round trips (exact, through a safetensors file), the end of a finite schedule, plateau rules and bad input. */
class ScheduleStateTest {

    private static <T extends Throwable> T fails(Class<T> type, Executable e, String... fragments) {
        T ex = assertThrows(type, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
        return ex;
    }

    /** A named way to build a schedule over a fresh optimizer, and the metric it is stepped with (null: none). */
    record Kind(String name, boolean adam, Function<Optimizer, LrScheduler> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(
            new Kind("step", false, o -> new StepLR(o, 3, 0.5)),
            new Kind("multistep", false, o -> new MultiStepLR(o, new long[] {2, 9}, 0.3)),
            new Kind("exponential", false, o -> new ExponentialLR(o, 0.9)),
            new Kind("cosine", false, o -> new CosineAnnealingLR(o, 5, 0.01)),
            new Kind("warm restarts", false, o -> new CosineAnnealingWarmRestarts(o, 2, 2, 0.001)),
            new Kind("linear", false, o -> new LinearLR(o, 0.1, 1.0, 4)),
            new Kind("one-cycle adam", true, o -> OneCycleLR.builder(o).maxLr(0.4).totalSteps(25).build()),
            new Kind("sequential", false, o -> new SequentialLR(o, List.of(new LinearLR(o, 0.2, 1, 3),
                    new CosineAnnealingLR(o, 6, 0), new ExponentialLR(o, 0.8)), new long[] {3, 9})),
            new Kind("plateau", false, o -> ReduceLROnPlateau.builder(o).patience(1).cooldown(1).factor(0.5).build()));
    }

    private static double metric(int i) {
        return 1.0 / (1 + i % 4) + 0.01 * i;
    }

    private static void advance(Optimizer o, LrScheduler s, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (s.usesMetric()) {
                s.step(metric(i));
            } else {
                s.step();
            }
        }
    }

    private static double[][] continueFor(Optimizer o, LrScheduler s, int from, int n) {
        double[][] out = new double[2][n];
        for (int i = 0; i < n; i++) {
            advance(o, s, from + i, 1);
            out[0][i] = o.lr();
            out[1][i] = o.momentum();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void stateRoundTripsExactlyThroughAFile(Kind k) throws Exception {
        Optimizer o = k.adam ? Sched.adam(0.1) : Sched.sgd(0.1, 0.9);
        LrScheduler s = k.make.apply(o);
        advance(o, s, 0, 7);
        Map<String, HostTensor> state = s.state();
        java.nio.file.Path f = java.nio.file.Files.createTempFile("sched", ".safetensors");
        try {
            SafeTensors.write(f, state, Map.of());
            SafeTensorsFile read = SafeTensors.read(f);
            // a fresh run: new optimizer and schedule with the same settings, then the saved state
            Optimizer o2 = k.adam ? Sched.adam(0.1) : Sched.sgd(0.1, 0.9);
            LrScheduler s2 = k.make.apply(o2);
            s2.loadState(read.tensors());
            assertEquals(s.lastEpoch(), s2.lastEpoch());
            assertEquals(s.lastLr(), s2.lastLr(), 0);
            assertEquals(o.lr(), o2.lr(), 0);
            assertEquals(o.momentum(), o2.momentum(), 0);
            assertEquals(state, s2.state());
            double[][] a = continueFor(o, s, 7, 15);
            double[][] b = continueFor(o2, s2, 7, 15);
            assertArrayEquals(a[0], b[0], 0, "lr after resuming");
            assertArrayEquals(a[1], b[1], 0, "momentum after resuming");
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void badStateChangesNothing(Kind k) {
        Optimizer o = k.adam ? Sched.adam(0.1) : Sched.sgd(0.1, 0.9);
        LrScheduler s = k.make.apply(o);
        advance(o, s, 0, 3);
        Map<String, HostTensor> before = s.state();
        double lr = o.lr();
        Map<String, HostTensor> extra = new HashMap<>(before);
        extra.put("bogus", HostTensor.ofDoubles(new double[] {1}));
        fails(IllegalArgumentException.class, () -> s.loadState(extra), "unexpected entries [bogus]");
        Map<String, HostTensor> missing = new HashMap<>(before);
        missing.remove("last_lr");
        fails(IllegalArgumentException.class, () -> s.loadState(missing), "missing entries [last_lr]");
        String rateKey = before.keySet().stream().filter(n -> n.endsWith("optimizer_lr")).reduce((a, b) -> b).orElseThrow();
        Map<String, HostTensor> negative = new HashMap<>(before);
        negative.put(rateKey, HostTensor.ofDoubles(new double[] {-1}));
        fails(IllegalArgumentException.class, () -> s.loadState(negative), rateKey, "-1.0", "learning rate >= 0");
        Map<String, HostTensor> shaped = new HashMap<>(before);
        shaped.put("last_epoch", HostTensor.ofLongs(new long[] {1, 2}, 2));
        fails(IllegalArgumentException.class, () -> s.loadState(shaped), "last_epoch", "[2]", "one value");
        fails(IllegalArgumentException.class, () -> s.loadState(null), "state is null");
        assertEquals(before, s.state());
        assertEquals(lr, o.lr(), 0);
    }

    @Test
    void oneCycleRefusesToStepPastItsEnd() {
        Optimizer o = Sched.sgd(0.1, 0.9);
        OneCycleLR s = OneCycleLR.builder(o).maxLr(0.5).totalSteps(6).build();
        for (int i = 0; i < 6; i++) {
            s.step(); // as in PyTorch: creation plus totalSteps calls
        }
        double lr = o.lr();
        double m = o.momentum();
        fails(IllegalStateException.class, s::step, "tried to step 8 times", "total steps is 6");
        assertEquals(6, s.lastEpoch());
        assertEquals(lr, o.lr(), 0);
        assertEquals(m, o.momentum(), 0);
        // inside a chain, the error surfaces from the chain's step, which also changes nothing
        Optimizer o2 = Sched.sgd(0.1, 0.9);
        SequentialLR chain = new SequentialLR(o2, List.of(new LinearLR(o2, 0.5, 1, 2),
                OneCycleLR.builder(o2).maxLr(0.5).totalSteps(3).build()), new long[] {2});
        for (int i = 0; i < 5; i++) {
            chain.step();
        }
        fails(IllegalStateException.class, chain::step, "OneCycleLR", "total steps is 3");
        assertEquals(5, chain.lastEpoch());
    }

    @Test
    void plateauRules() {
        // MIN, REL threshold 0.1, patience 1: improvement needs metric < best * 0.9
        Optimizer o = Sched.sgd(1.0, 0);
        ReduceLROnPlateau p = ReduceLROnPlateau.builder(o).patience(1).threshold(0.1).factor(0.5).build();
        double[] metrics = {10, 9.5, 9.4, 8.0, 7.3, 7.2, 7.1, 1.0};
        // best: 10 (better than inf), 9.5 no (>= 9), 9.4 no -> 2 bad > 1: lr 0.5, reset; 8.0 better; 7.3 no (>= 7.2);
        // 7.2 no (7.2 >= 7.2) -> 2 bad: lr 0.25; 7.1 better than 8*0.9 = 7.2; 1.0 better
        double[] lrAfter = {1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25};
        for (int i = 0; i < metrics.length; i++) {
            p.step(metrics[i]);
            assertEquals(lrAfter[i], o.lr(), 0, "after metric " + i);
        }
        assertEquals(1.0, p.best(), 0);

        // MAX, ABS threshold, cooldown 2, minLr and eps
        Optimizer o2 = Sched.sgd(1.0, 0);
        ReduceLROnPlateau q = ReduceLROnPlateau.builder(o2).mode(ReduceLROnPlateau.Mode.MAX)
                .thresholdMode(ReduceLROnPlateau.ThresholdMode.ABS).threshold(0.05).patience(0).cooldown(2).factor(0.1)
                .minLr(0.05).build();
        double[] m2 = {0.5, 0.52, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6};
        // 0.5 better; 0.52 not (needs > 0.55) -> 1 bad > 0: lr 0.1, cooldown 2; 0.6 better, cooldown 1; 0.6 bad but in
        // cooldown (0 left); 0.6 bad -> lr max(0.01, 0.05) = 0.05, cooldown 2; two cooldown steps; then 0.05 * 0.1 < minLr: stays
        double[] lr2 = {1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05};
        for (int i = 0; i < m2.length; i++) {
            q.step(m2[i]);
            assertEquals(lr2[i], o2.lr(), 1e-17, "after metric " + i);
        }
        // eps: a reduction smaller than eps is skipped
        Optimizer o3 = Sched.sgd(1e-9, 0);
        ReduceLROnPlateau r = ReduceLROnPlateau.builder(o3).patience(0).build();
        r.step(1);
        r.step(1);
        assertEquals(1e-9, o3.lr(), 0);
        fails(IllegalArgumentException.class, () -> r.step(Double.NaN), "metric is NaN");
        fails(IllegalStateException.class, r::step, "needs the monitored metric");
        fails(UnsupportedOperationException.class, () -> new StepLR(Sched.sgd(0.1, 0), 1, 0.5).step(1.0), "does not use a metric");
    }

    @Test
    void badSettingsFailBeforeTouchingTheOptimizer() {
        Optimizer o = Sched.sgd(0.1, 0.9);
        fails(IllegalArgumentException.class, () -> new StepLR(o, 0, 0.5), "stepSize = 0", ">= 1");
        fails(IllegalArgumentException.class, () -> new StepLR(o, 2, Double.NaN), "gamma = NaN");
        fails(IllegalArgumentException.class, () -> new StepLR(null, 2, 0.5), "optimizer is null");
        fails(IllegalArgumentException.class, () -> new MultiStepLR(o, new long[] {3, -1}, 0.5), "milestone -1");
        fails(IllegalArgumentException.class, () -> new CosineAnnealingLR(o, 0, 0), "tMax = 0");
        fails(IllegalArgumentException.class, () -> new CosineAnnealingLR(o, 5, -1), "etaMin = -1.0");
        fails(IllegalArgumentException.class, () -> new CosineAnnealingWarmRestarts(o, 2, 0, 0), "tMult = 0");
        fails(IllegalArgumentException.class, () -> new LinearLR(o, 0, 1, 5), "startFactor = 0.0", "(0, 1]");
        fails(IllegalArgumentException.class, () -> new LinearLR(o, 0.5, 1.5, 5), "endFactor = 1.5");
        fails(IllegalArgumentException.class, () -> OneCycleLR.builder(o).totalSteps(10).build(), "maxLr = NaN");
        fails(IllegalArgumentException.class, () -> OneCycleLR.builder(o).maxLr(1).build(), "totalSteps = 0");
        fails(IllegalArgumentException.class, () -> OneCycleLR.builder(o).maxLr(1).totalSteps(10).pctStart(1.5).build(),
                "pctStart = 1.5");
        fails(IllegalArgumentException.class, () -> OneCycleLR.builder(o).maxLr(1).totalSteps(10).pctStart(0.1).build(),
                "phase 1", "length 0");
        fails(IllegalArgumentException.class, () -> ReduceLROnPlateau.builder(o).factor(1.0).build(), "factor = 1.0");
        fails(IllegalArgumentException.class, () -> ReduceLROnPlateau.builder(o).patience(-1).build(), "patience = -1");
        Optimizer adagrad = Adagrad.builder(List.of(Var.parameter(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1)))).lr(0.1).build();
        fails(IllegalArgumentException.class, () -> OneCycleLR.builder(adagrad).maxLr(1).totalSteps(10).build(),
                "no momentum coefficient", "cycleMomentum(false)");
        fails(IllegalArgumentException.class, () -> OneCycleLR.builder(Sched.adam(0.1)).maxLr(1).totalSteps(10).maxMomentum(1.0)
                .build(), "maxMomentum = 1.0", "beta1");
        assertEquals(0.1, o.lr(), 0);
        assertEquals(0.9, o.momentum(), 0);
        // chaining
        Optimizer other = Sched.sgd(0.1, 0);
        fails(IllegalArgumentException.class, () -> new SequentialLR(o, List.of(new StepLR(o, 2, 0.5), new StepLR(other, 2, 0.5)),
                new long[] {3}), "schedulers[1] drives optimizer");
        fails(IllegalArgumentException.class, () -> new SequentialLR(o, List.of(new StepLR(o, 2, 0.5)), new long[] {3}),
                "1 schedulers and 1 milestones");
        fails(IllegalArgumentException.class, () -> new SequentialLR(o, List.of(new StepLR(o, 2, 0.5), new StepLR(o, 2, 0.5)),
                new long[] {0}), "strictly increasing steps >= 1");
        StepLR used = new StepLR(o, 2, 0.5);
        used.step();
        fails(IllegalArgumentException.class, () -> new SequentialLR(o, List.of(used, new StepLR(o, 2, 0.5)), new long[] {3}),
                "already been stepped 1 times");
        fails(IllegalArgumentException.class, () -> new SequentialLR(o, List.of(ReduceLROnPlateau.builder(o).build(),
                new StepLR(o, 2, 0.5)), new long[] {3}), "schedulers[0] is ReduceLROnPlateau");
    }

    @Test
    void momentumAccessOnOptimizers() {
        Optimizer rms = RMSprop.builder(List.of(Var.parameter(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1)))).build();
        fails(IllegalArgumentException.class, () -> rms.setMomentum(0.5), "built with momentum 0");
        Optimizer nesterov = SGD.builder(List.of(Var.parameter(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1)))).momentum(0.9)
                .nesterov(true).build();
        fails(IllegalArgumentException.class, () -> nesterov.setMomentum(0), "Nesterov");
        fails(IllegalArgumentException.class, () -> Sched.adam(0.1).setMomentum(1.0), "beta1 = 1.0", "[0, 1)");
        // SGD: momentum switched on mid-run starts the buffer afresh (PyTorch), then accumulates
        Var p = Var.parameter(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1));
        Optimizer sgd = SGD.builder(List.of(p)).lr(0.1).build();
        double[] expected = {-0.1, -0.2, -0.35};
        for (int i = 0; i < 3; i++) {
            if (i == 1) {
                sgd.setMomentum(0.5);
            }
            p.setGrad(RefBackend.INSTANCE.full(1, DType.FLOAT64, 1));
            sgd.step();
            assertEquals(expected[i], p.value().item(), 1e-15, "SGD step " + i);
        }
        assertEquals(List.of("p0.momentum_buffer"), List.copyOf(sgd.state().keySet()));
        // Adam: a new beta1 acts in the moment update and in the bias correction of later steps
        Var q = Var.parameter(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1));
        Optimizer adam = org.rnn4j.optim.Adam.builder(List.of(q)).lr(0.01).build();
        double m = 0;
        double v = 0;
        double x = 0;
        double[] g = {0.3, -0.7};
        double[] beta1 = {0.9, 0.6};
        for (int t = 1; t <= 2; t++) {
            adam.setMomentum(beta1[t - 1]);
            q.setGrad(RefBackend.INSTANCE.full(g[t - 1], DType.FLOAT64, 1));
            adam.step();
            m = beta1[t - 1] * m + (1 - beta1[t - 1]) * g[t - 1];
            v = 0.999 * v + 0.001 * g[t - 1] * g[t - 1];
            x -= 0.01 / (1 - Math.pow(beta1[t - 1], t)) * m / (Math.sqrt(v) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8);
            assertEquals(x, q.value().item(), 1e-15, "Adam step " + t);
        }
        Optimizer adagrad = Adagrad.builder(List.of(Var.parameter(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1)))).build();
        assertTrue(!adagrad.hasMomentum());
        assertThrows(UnsupportedOperationException.class, adagrad::momentum);
    }
}
