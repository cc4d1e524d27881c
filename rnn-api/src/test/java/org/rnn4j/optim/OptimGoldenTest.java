package org.rnn4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.testing.RefBackend;
import org.rnn4j.testing.RefBackend.Golden;

/** The optim_* and clip_* golden cases computed by PyTorch 1.13, in float64 and float32. */
class OptimGoldenTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    static Stream<Arguments> cases() {
        String[] names = {"optim_sgd", "optim_sgd_momentum_nesterov_wd", "optim_adam", "optim_adamw", "optim_rmsprop",
            "optim_adagrad"};
        return Stream.of(names).flatMap(n -> Stream.of(Arguments.of(n, DType.FLOAT64), Arguments.of(n, DType.FLOAT32)));
    }

    private static double num(Map<String, String> meta, String key, double dflt) {
        String v = meta.get(key);
        return v == null ? dflt : Double.parseDouble(v);
    }

    static Optimizer build(Map<String, String> m, List<Var> params) {
        double lr = num(m, "lr", Double.NaN);
        switch (m.get("optimizer")) {
            case "SGD":
                return SGD.builder(params).lr(lr).momentum(num(m, "momentum", 0)).dampening(num(m, "dampening", 0))
                        .nesterov(Boolean.parseBoolean(m.getOrDefault("nesterov", "false")))
                        .weightDecay(num(m, "weight_decay", 0)).build();
            case "Adam":
                return Adam.builder(params).lr(lr).weightDecay(num(m, "weight_decay", 0)).build();
            case "AdamW":
                return AdamW.builder(params).lr(lr).weightDecay(num(m, "weight_decay", 0.01)).build();
            case "RMSprop":
                return RMSprop.builder(params).lr(lr).alpha(num(m, "alpha", 0.99)).build();
            case "Adagrad":
                return Adagrad.builder(params).lr(lr).build();
            default:
                throw new IllegalArgumentException(m.toString());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, DType dtype) {
        Golden g = Golden.load(name);
        double tol = dtype == DType.FLOAT64 ? 1e-9 : 1e-4;
        Var p = Var.parameter(g.tensor("param0", B, dtype));
        Optimizer opt = build(g.meta(), List.of(p));
        int steps = Integer.parseInt(g.meta("steps"));
        for (int s = 0; s < steps; s++) {
            p.setGrad(g.tensor("grad" + s, B, dtype));
            opt.step();
            double e = Tensors.relativeError(p.value().toDoubleArray(), g.doubles("param" + (s + 1)));
            assertTrue(e < tol, name + " " + dtype + " step " + s + ": relative error " + e);
            assertEquals(dtype, p.value().dtype());
        }
    }

    @ParameterizedTest
    @MethodSource("dtypes")
    void clipNormMatchesPyTorch(DType dtype) {
        Golden g = Golden.load("clip_norm_l2");
        double tol = dtype == DType.FLOAT64 ? 1e-9 : 1e-4;
        Var p0 = Var.parameter(B.zeros(dtype, g.shape("grad0")));
        Var p1 = Var.parameter(B.zeros(dtype, g.shape("grad1")));
        p0.setGrad(g.tensor("grad0", B, dtype));
        p1.setGrad(g.tensor("grad1", B, dtype));
        double total = GradClip.clipGradNorm(List.of(p0, p1), Double.parseDouble(g.meta("max_norm")),
                Double.parseDouble(g.meta("norm_type")));
        double expected = g.doubles("total_norm")[0];
        assertEquals(expected, total, tol * expected);
        assertTrue(Tensors.relativeError(p0.grad().toDoubleArray(), g.doubles("clipped0")) < tol);
        assertTrue(Tensors.relativeError(p1.grad().toDoubleArray(), g.doubles("clipped1")) < tol);
    }

    static Stream<DType> dtypes() {
        return Stream.of(DType.FLOAT64, DType.FLOAT32);
    }

    @Test
    void clipNormInfinityFromGolden() {
        Golden g = Golden.load("clip_norm_l2");
        double[] a = g.doubles("grad0");
        double[] b = g.doubles("grad1");
        double max = 0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        for (double v : b) {
            max = Math.max(max, Math.abs(v));
        }
        Var p0 = Var.parameter(B.zeros(DType.FLOAT64, g.shape("grad0")));
        Var p1 = Var.parameter(B.zeros(DType.FLOAT64, g.shape("grad1")));
        p0.setGrad(g.tensor("grad0", B, DType.FLOAT64));
        p1.setGrad(g.tensor("grad1", B, DType.FLOAT64));
        double total = GradClip.clipGradNorm(List.of(p0, p1), 1.0, Double.POSITIVE_INFINITY);
        assertEquals(max, total, 0.0);
        double coef = 1.0 / (max + 1e-6);
        double[] c = p0.grad().toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] * coef, c[i], 1e-15);
        }
    }
}
