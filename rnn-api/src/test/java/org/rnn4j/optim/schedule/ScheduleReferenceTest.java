package org.rnn4j.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.rnn4j.optim.Optimizer;

/**
 * Every schedule against its closed-form definition (written here independently of the recursive form
 * the schedules use to match PyTorch bit for bit), over several periods.
 */
class ScheduleReferenceTest {

    private static void matches(String what, double[] actual, LongToDoubleFunction expected) {
        for (int e = 0; e < actual.length; e++) {
            double want = expected.applyAsDouble(e);
            assertEquals(want, actual[e], 1e-12 * Math.max(Math.abs(want), 1e-3), what + " at step " + e);
        }
    }

    @Test
    void stepMultiStepExponential() {
        Optimizer o = Sched.sgd(0.2, 0);
        matches("StepLR", Sched.lrs(o, new StepLR(o, 4, 0.3), 30), e -> 0.2 * Math.pow(0.3, e / 4));
        Optimizer o2 = Sched.sgd(0.2, 0);
        long[] ms = {7, 3, 3, 12};
        matches("MultiStepLR", Sched.lrs(o2, new MultiStepLR(o2, ms, 0.5), 20), e -> {
            int passed = 0;
            for (long m : ms) {
                passed += m <= e ? 1 : 0;
            }
            return 0.2 * Math.pow(0.5, passed);
        });
        Optimizer o3 = Sched.sgd(0.2, 0);
        matches("ExponentialLR", Sched.lrs(o3, new ExponentialLR(o3, 0.93), 40), e -> 0.2 * Math.pow(0.93, e));
    }

    @Test
    void cosineIsPeriodicPastTMax() {
        Optimizer o = Sched.sgd(0.1, 0);
        // eta_min + (base - eta_min) (1 + cos(pi e / T)) / 2, written as base - (base - eta_min) sin^2(pi e / 2T)
        matches("CosineAnnealingLR", Sched.lrs(o, new CosineAnnealingLR(o, 7, 0.004), 40), e -> {
            double s = Math.sin(Math.PI * e / 14);
            return 0.1 - (0.1 - 0.004) * s * s;
        });
    }

    @Test
    void linearWarmupAndDecay() {
        Optimizer o = Sched.sgd(0.5, 0);
        matches("LinearLR up", Sched.lrs(o, new LinearLR(o, 0.2, 1.0, 6), 12), e -> 0.5 * (0.2 + 0.8 * Math.min(e, 6) / 6.0));
        Optimizer o2 = Sched.sgd(0.5, 0);
        matches("LinearLR down", Sched.lrs(o2, new LinearLR(o2, 1.0, 0.25, 3), 8), e -> 0.5 * (1 - 0.75 * Math.min(e, 3) / 3.0));
    }

    /** T_cur and T_i from the closed form PyTorch documents for a fractional epoch: n = floor(log_mult(e / T0 (mult - 1) + 1)). */
    private static double warmRestart(long e, long t0, long mult, double base, double eta) {
        double tCur;
        double tI;
        if (e < t0) {
            tCur = e;
            tI = t0;
        } else if (mult == 1) {
            tCur = e % t0;
            tI = t0;
        } else {
            int n = (int) Math.floor(Math.log(e / (double) t0 * (mult - 1) + 1) / Math.log(mult) + 1e-12);
            tCur = e - t0 * (Math.pow(mult, n) - 1) / (mult - 1);
            tI = t0 * Math.pow(mult, n);
        }
        return eta + (base - eta) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }

    @Test
    void cosineWarmRestarts() {
        for (long mult : new long[] {1, 2, 3}) {
            Optimizer o = Sched.sgd(0.1, 0);
            CosineAnnealingWarmRestarts s = new CosineAnnealingWarmRestarts(o, 3, mult, 0.01);
            matches("warm restarts tMult=" + mult, Sched.lrs(o, s, 60), e -> warmRestart(e, 3, mult, 0.1, 0.01));
        }
        Optimizer o = Sched.sgd(0.1, 0);
        CosineAnnealingWarmRestarts s = new CosineAnnealingWarmRestarts(o, 2, 2, 0);
        Sched.lrs(o, s, 7); // cycles of 2, 4, 8: step 7 is step 1 of the third cycle
        assertEquals(1, s.stepsSinceRestart());
        assertEquals(8, s.cycleLength());
    }

    /** One-cycle from the paper's description: rise then fall, each half a cosine (or a line) between its end points. */
    private static double cycle(double e, double[] ends, double[] values, boolean cos) {
        double start = 0;
        for (int i = 0; i < ends.length; i++) {
            if (e <= ends[i] || i == ends.length - 1) {
                double pct = (e - start) / (ends[i] - start);
                double a = values[i];
                double b = values[i + 1];
                return cos ? a + (b - a) * (1 - Math.cos(Math.PI * pct)) / 2 : a + (b - a) * pct;
            }
            start = ends[i];
        }
        throw new AssertionError();
    }

    @Test
    void oneCycleCosineWithSgdMomentum() {
        Optimizer o = Sched.sgd(0.1, 0.9);
        OneCycleLR s = OneCycleLR.builder(o).maxLr(1.0).totalSteps(30).pctStart(0.4).divFactor(10).finalDivFactor(100).build();
        double[][] t = Sched.trace(o, s, 30, null);
        double[] ends = {0.4 * 30 - 1, 29};
        matches("one-cycle lr", t[0], e -> cycle(e, ends, new double[] {0.1, 1.0, 0.001}, true));
        matches("one-cycle momentum", t[1], e -> cycle(e, ends, new double[] {0.95, 0.85, 0.95}, true));
    }

    @Test
    void oneCycleLinearThreePhaseDrivesAdamBeta1() {
        Optimizer o = Sched.adam(0.1);
        OneCycleLR s = OneCycleLR.builder(o).maxLr(0.3).totalSteps(17).pctStart(0.25).anneal(OneCycleLR.Anneal.LINEAR)
                .threePhase(true).baseMomentum(0.8).maxMomentum(0.9).build();
        double[][] t = Sched.trace(o, s, 17, null);
        double[] ends = {0.25 * 17 - 1, 2 * 0.25 * 17 - 2, 16};
        matches("three-phase lr", t[0], e -> cycle(e, ends, new double[] {0.012, 0.3, 0.012, 0.012 / 1e4}, false));
        matches("three-phase beta1", t[1], e -> cycle(e, ends, new double[] {0.9, 0.8, 0.9, 0.9}, false));
        // the step past the end holds the end values (PyTorch's line would go below 0)
        assertEquals(0.012 / 1e4, o.lr(), 1e-18);
    }

    @Test
    void sequentialWarmupThenDecay() {
        Optimizer o = Sched.sgd(0.1, 0);
        LinearLR warm = new LinearLR(o, 0.1, 1.0, 5);
        ExponentialLR decay = new ExponentialLR(o, 0.9);
        SequentialLR s = new SequentialLR(o, List.of(warm, decay), new long[] {5});
        // the decay starts from the rate before the warm-up lowered it (PyTorch's initial_lr)
        assertEquals(0.1, decay.baseLr(), 0);
        matches("warm-up then exponential", Sched.lrs(o, s, 20), e -> e < 5 ? 0.1 * (0.1 + 0.9 * e / 5.0) : 0.1 * Math.pow(0.9, e - 5));

        Optimizer o2 = Sched.sgd(0.1, 0);
        SequentialLR s2 = new SequentialLR(o2, List.of(new LinearLR(o2, 0.25, 1.0, 4), new CosineAnnealingLR(o2, 6, 0.001),
                new StepLR(o2, 2, 0.5)), new long[] {4, 10});
        matches("warm-up, cosine, step", Sched.lrs(o2, s2, 20), e -> {
            if (e < 4) {
                return 0.1 * (0.25 + 0.75 * e / 4.0);
            }
            if (e < 10) {
                return 0.001 + (0.1 - 0.001) * (1 + Math.cos(Math.PI * (e - 4) / 6)) / 2;
            }
            return 0.1 * Math.pow(0.5, (e - 10) / 2);
        });
        assertEquals(20, s2.lastEpoch());
    }
}
