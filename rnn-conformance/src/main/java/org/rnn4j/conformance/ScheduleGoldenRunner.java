package org.rnn4j.conformance;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.optim.SGD;
import org.rnn4j.optim.schedule.CosineAnnealingLR;
import org.rnn4j.optim.schedule.CosineAnnealingWarmRestarts;
import org.rnn4j.optim.schedule.ExponentialLR;
import org.rnn4j.optim.schedule.LinearLR;
import org.rnn4j.optim.schedule.LrScheduler;
import org.rnn4j.optim.schedule.MultiStepLR;
import org.rnn4j.optim.schedule.OneCycleLR;
import org.rnn4j.optim.schedule.ReduceLROnPlateau;
import org.rnn4j.optim.schedule.StepLR;
import org.rnn4j.tensor.DType;

/**
 * Runs an {@code lr_scheduler} golden case: PyTorch's scheduler (its keyword arguments as JSON values in
 * the metadata) on SGD with {@code base_lr} and {@code base_momentum}; {@code lr[i]} and
 * {@code momentum[i]} are those in effect for optimizer step {@code i}, and the schedule steps after each
 * optimizer step ({@code ReduceLROnPlateau} with {@code metrics[i]}). Schedules compute in double
 * whatever the parameters' dtype, so both dtypes are held to the float64 tolerance. A setting this runner
 * does not understand fails the case.
 */
public final class ScheduleGoldenRunner {
    private static final Set<String> NON_SETTINGS = Set.of("kind", "scheduler", "base_lr", "base_momentum", "steps", "doc");

    private ScheduleGoldenRunner() {
    }

    /** Runs the case on {@code backend} with a parameter of {@code dtype}. */
    public static void run(GoldenCase c, ComputeBackend backend, DType dtype) {
        Var p = Var.parameter(backend.zeros(dtype, 1));
        SGD opt = SGD.builder(List.of(p)).lr(Double.parseDouble(c.meta("base_lr")))
                .momentum(Double.parseDouble(c.meta("base_momentum"))).build();
        Settings s = new Settings(c);
        String name = c.meta("scheduler");
        LrScheduler sched = switch (name) {
            case "StepLR" -> new StepLR(opt, s.integer("step_size", null), s.num("gamma", 0.1));
            case "MultiStepLR" -> new MultiStepLR(opt, s.integers("milestones"), s.num("gamma", 0.1));
            case "ExponentialLR" -> new ExponentialLR(opt, s.num("gamma", null));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, s.integer("T_max", null), s.num("eta_min", 0.0));
            case "CosineAnnealingWarmRestarts" -> new CosineAnnealingWarmRestarts(opt, s.integer("T_0", null),
                    s.integer("T_mult", 1L), s.num("eta_min", 0.0));
            case "LinearLR" -> new LinearLR(opt, s.num("start_factor", 1.0 / 3), s.num("end_factor", 1.0),
                    s.integer("total_iters", 5L));
            case "OneCycleLR" -> {
                OneCycleLR.Builder b = OneCycleLR.builder(opt).maxLr(s.num("max_lr", null));
                if (s.has("total_steps")) {
                    b.totalSteps(s.integer("total_steps", null));
                } else {
                    b.epochs(s.integer("epochs", null), s.integer("steps_per_epoch", null));
                }
                // the metadata's base_momentum is SGD's momentum (generate.py cannot also pass OneCycleLR's
                // base_momentum, which keeps PyTorch's default 0.85)
                b.pctStart(s.num("pct_start", 0.3)).cycleMomentum(s.bool("cycle_momentum", true))
                        .maxMomentum(s.num("max_momentum", 0.95))
                        .divFactor(s.num("div_factor", 25.0)).finalDivFactor(s.num("final_div_factor", 1e4))
                        .threePhase(s.bool("three_phase", false));
                String anneal = s.string("anneal_strategy", "cos");
                b.anneal(switch (anneal) {
                    case "cos" -> OneCycleLR.Anneal.COS;
                    case "linear" -> OneCycleLR.Anneal.LINEAR;
                    default -> throw new AssertionError("golden case " + c.name() + ": unknown anneal_strategy '" + anneal + "'");
                });
                yield b.build();
            }
            case "ReduceLROnPlateau" -> {
                ReduceLROnPlateau.Builder b = ReduceLROnPlateau.builder(opt)
                        .mode(ReduceLROnPlateau.Mode.valueOf(s.string("mode", "min").toUpperCase()))
                        .factor(s.num("factor", 0.1)).patience(s.integer("patience", 10L)).threshold(s.num("threshold", 1e-4))
                        .thresholdMode(ReduceLROnPlateau.ThresholdMode.valueOf(s.string("threshold_mode", "rel").toUpperCase()))
                        .cooldown(s.integer("cooldown", 0L)).minLr(s.num("min_lr", 0.0)).eps(s.num("eps", 1e-8));
                yield b.build();
            }
            default -> throw new AssertionError("golden case " + c.name() + ": unknown scheduler '" + name + "'");
        };
        s.checkAllUsed();
        int steps = c.metaInt("steps");
        double[] metrics = sched.usesMetric() ? c.doubles("metrics") : null;
        double[] lr = new double[steps];
        double[] momentum = new double[steps];
        for (int i = 0; i < steps; i++) {
            lr[i] = opt.lr();
            momentum[i] = opt.momentum();
            p.setGrad(backend.zeros(dtype, 1));
            opt.step();
            if (metrics != null) {
                sched.step(metrics[i]);
            } else {
                sched.step();
            }
        }
        Expect.close(c.name() + " lr", lr, c.doubles("lr"), Expect.F64);
        Expect.close(c.name() + " momentum", momentum, c.doubles("momentum"), Expect.F64);
    }

    /** The scheduler's keyword arguments (JSON values), tracking which were read. */
    private static final class Settings {
        private final GoldenCase c;
        private final Map<String, String> m;
        private final Set<String> used = new HashSet<>(NON_SETTINGS);

        Settings(GoldenCase c) {
            this.c = c;
            this.m = c.metadata();
        }

        boolean has(String k) {
            return m.containsKey(k);
        }

        private JsonElement json(String k) {
            used.add(k);
            return JsonParser.parseString(m.get(k));
        }

        double num(String k, Double fallback) {
            if (!has(k)) {
                return required(k, fallback);
            }
            return json(k).getAsDouble();
        }

        long integer(String k, Long fallback) {
            if (!has(k)) {
                return required(k, fallback);
            }
            return json(k).getAsLong();
        }

        boolean bool(String k, boolean fallback) {
            return has(k) ? json(k).getAsBoolean() : fallback;
        }

        String string(String k, String fallback) {
            return has(k) ? json(k).getAsString() : fallback;
        }

        long[] integers(String k) {
            JsonArray a = json(k).getAsJsonArray();
            long[] out = new long[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).getAsLong();
            }
            return out;
        }

        private <T> T required(String k, T fallback) {
            if (fallback == null) {
                throw new AssertionError("golden case " + c.name() + " lacks the scheduler setting '" + k + "'");
            }
            return fallback;
        }

        void checkAllUsed() {
            for (String k : m.keySet()) {
                if (!used.contains(k)) {
                    throw new AssertionError("golden case " + c.name() + ": scheduler setting '" + k + "' = " + m.get(k)
                            + " is not understood by this runner");
                }
            }
        }
    }
}
