package org.rnn4j.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.testing.RefBackend.Golden;

/** The sched_* golden cases computed by PyTorch 1.13 (see generate.py's scheduler_case). */
class ScheduleGoldenTest {

    private static double num(Golden g, String key) {
        return JsonParser.parseString(g.meta(key)).getAsDouble();
    }

    private static long integer(Golden g, String key) {
        return JsonParser.parseString(g.meta(key)).getAsLong();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sched_step", "sched_multistep", "sched_exponential", "sched_cosine", "sched_linear_warmup",
        "sched_onecycle", "sched_plateau"})
    void matchesPyTorch(String name) {
        Golden g = Golden.load(name);
        Optimizer opt = Sched.sgd(num(g, "base_lr"), num(g, "base_momentum"));
        LrScheduler s = switch (g.meta("scheduler")) {
            case "StepLR" -> new StepLR(opt, integer(g, "step_size"), num(g, "gamma"));
            case "MultiStepLR" -> {
                var a = JsonParser.parseString(g.meta("milestones")).getAsJsonArray();
                long[] m = new long[a.size()];
                for (int i = 0; i < m.length; i++) {
                    m[i] = a.get(i).getAsLong();
                }
                yield new MultiStepLR(opt, m, num(g, "gamma"));
            }
            case "ExponentialLR" -> new ExponentialLR(opt, num(g, "gamma"));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, integer(g, "T_max"), num(g, "eta_min"));
            case "LinearLR" -> new LinearLR(opt, num(g, "start_factor"), 1.0, integer(g, "total_iters"));
            case "OneCycleLR" -> OneCycleLR.builder(opt).maxLr(num(g, "max_lr")).totalSteps(integer(g, "total_steps")).build();
            case "ReduceLROnPlateau" -> ReduceLROnPlateau.builder(opt).factor(num(g, "factor")).patience(integer(g, "patience"))
                    .build();
            default -> throw new AssertionError(name + ": unexpected scheduler " + g.meta("scheduler"));
        };
        int steps = Integer.parseInt(g.meta("steps"));
        double[][] got = Sched.trace(opt, s, steps, s.usesMetric() ? g.doubles("metrics") : null);
        double[] lr = g.doubles("lr");
        double[] momentum = g.doubles("momentum");
        assertEquals(steps, lr.length);
        for (int i = 0; i < steps; i++) {
            assertEquals(lr[i], got[0][i], 1e-15 * Math.abs(lr[i]), name + " lr[" + i + "]");
            assertEquals(momentum[i], got[1][i], 1e-15 * Math.abs(momentum[i]), name + " momentum[" + i + "]");
        }
    }
}
