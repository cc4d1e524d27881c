package org.rnn4j.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.testing.RefBackend;

/**
 * Configurations the golden cases do not cover (amsgrad, centered, momentum, dampening, lr decay,
 * maximize, ...) against element-wise host transcriptions of PyTorch 1.13's single-tensor updates
 * (torch/optim/{sgd,adam,adamw,rmsprop,adagrad}.py).
 */
class OptimReferenceTest {
    private static final RefBackend B = RefBackend.INSTANCE;
    private static final int N = 7;
    private static final int STEPS = 6;

    /** Host reference: updates p (in place) from g at step t (1-based), keeping its own state. */
    interface Ref {
        void step(double[] p, double[] g, int t);
    }

    private static void compare(String what, Function<List<Var>, Optimizer> make, Ref ref) {
        Random r = new Random(what.hashCode());
        double[] p = new double[N];
        for (int i = 0; i < N; i++) {
            p[i] = r.nextGaussian();
        }
        Var v = Var.parameter(B.fromDoubles(p.clone(), DType.FLOAT64, N));
        Optimizer opt = make.apply(List.of(v));
        for (int t = 1; t <= STEPS; t++) {
            double[] g = new double[N];
            for (int i = 0; i < N; i++) {
                g[i] = r.nextGaussian();
            }
            v.setGrad(B.fromDoubles(g, DType.FLOAT64, N));
            opt.step();
            ref.step(p, g, t);
            double e = Tensors.relativeError(v.value().toDoubleArray(), p);
            assertTrue(e < 1e-13, what + " step " + t + ": relative error " + e);
        }
    }

    static Ref sgd(double lr, double momentum, double dampening, boolean nesterov, double wd, boolean maximize) {
        double[][] buf = {null};
        return (p, g0, t) -> {
            double[] d = new double[N];
            for (int i = 0; i < N; i++) {
                d[i] = (maximize ? -g0[i] : g0[i]) + wd * p[i];
            }
            if (momentum != 0) {
                if (buf[0] == null) {
                    buf[0] = d.clone();
                } else {
                    for (int i = 0; i < N; i++) {
                        buf[0][i] = buf[0][i] * momentum + (1 - dampening) * d[i];
                    }
                }
                for (int i = 0; i < N; i++) {
                    d[i] = nesterov ? d[i] + momentum * buf[0][i] : buf[0][i];
                }
            }
            for (int i = 0; i < N; i++) {
                p[i] -= lr * d[i];
            }
        };
    }

    static Ref adam(double lr, double b1, double b2, double eps, double wd, boolean amsgrad, boolean maximize, boolean decoupled) {
        double[] m = new double[N];
        double[] v = new double[N];
        double[] vmax = new double[N];
        return (p, g0, t) -> {
            if (decoupled) {
                for (int i = 0; i < N; i++) {
                    p[i] *= 1 - lr * wd;
                }
            }
            double bc1 = 1 - Math.pow(b1, t);
            double bc2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < N; i++) {
                double g = maximize ? -g0[i] : g0[i];
                if (!decoupled) {
                    g += wd * p[i];
                }
                m[i] = m[i] * b1 + (1 - b1) * g;
                v[i] = v[i] * b2 + (1 - b2) * g * g;
                vmax[i] = Math.max(vmax[i], v[i]);
                double denom = Math.sqrt(amsgrad ? vmax[i] : v[i]) / Math.sqrt(bc2) + eps;
                p[i] -= lr / bc1 * m[i] / denom;
            }
        };
    }

    static Ref rmsprop(double lr, double alpha, double eps, double wd, double momentum, boolean centered, boolean maximize) {
        double[] sq = new double[N];
        double[] ga = new double[N];
        double[] buf = new double[N];
        return (p, g0, t) -> {
            for (int i = 0; i < N; i++) {
                double g = (maximize ? -g0[i] : g0[i]) + wd * p[i];
                sq[i] = sq[i] * alpha + (1 - alpha) * g * g;
                double avg;
                if (centered) {
                    ga[i] = ga[i] * alpha + (1 - alpha) * g;
                    avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
                } else {
                    avg = Math.sqrt(sq[i]) + eps;
                }
                if (momentum > 0) {
                    buf[i] = buf[i] * momentum + g / avg;
                    p[i] -= lr * buf[i];
                } else {
                    p[i] -= lr * g / avg;
                }
            }
        };
    }

    static Ref adagrad(double lr, double lrDecay, double wd, double init, double eps, boolean maximize) {
        double[] sum = new double[N];
        java.util.Arrays.fill(sum, init);
        return (p, g0, t) -> {
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < N; i++) {
                double g = (maximize ? -g0[i] : g0[i]) + wd * p[i];
                sum[i] += g * g;
                p[i] -= clr * g / (Math.sqrt(sum[i]) + eps);
            }
        };
    }

    @Test
    void sgdVariants() {
        compare("sgd plain", ps -> SGD.builder(ps).lr(0.1).build(), sgd(0.1, 0, 0, false, 0, false));
        compare("sgd momentum dampening wd", ps -> SGD.builder(ps).lr(0.05).momentum(0.8).dampening(0.3).weightDecay(0.02)
                .build(), sgd(0.05, 0.8, 0.3, false, 0.02, false));
        compare("sgd nesterov maximize", ps -> SGD.builder(ps).lr(0.05).momentum(0.9).nesterov(true).maximize(true).build(),
                sgd(0.05, 0.9, 0, true, 0, true));
        compare("sgd default lr", ps -> SGD.builder(ps).build(), sgd(1e-3, 0, 0, false, 0, false));
    }

    @Test
    void adamVariants() {
        compare("adam defaults", ps -> Adam.builder(ps).build(), adam(1e-3, 0.9, 0.999, 1e-8, 0, false, false, false));
        compare("adam amsgrad wd", ps -> Adam.builder(ps).lr(0.02).betas(0.8, 0.99).eps(1e-6).weightDecay(0.1).amsgrad(true)
                .build(), adam(0.02, 0.8, 0.99, 1e-6, 0.1, true, false, false));
        compare("adam maximize", ps -> Adam.builder(ps).lr(0.01).maximize(true).build(),
                adam(0.01, 0.9, 0.999, 1e-8, 0, false, true, false));
        compare("adamw defaults", ps -> AdamW.builder(ps).build(), adam(1e-3, 0.9, 0.999, 1e-8, 0.01, false, false, true));
        compare("adamw amsgrad", ps -> AdamW.builder(ps).lr(0.03).weightDecay(0.2).amsgrad(true).build(),
                adam(0.03, 0.9, 0.999, 1e-8, 0.2, true, false, true));
    }

    @Test
    void rmspropVariants() {
        compare("rmsprop defaults", ps -> RMSprop.builder(ps).build(), rmsprop(0.01, 0.99, 1e-8, 0, 0, false, false));
        compare("rmsprop centered momentum wd", ps -> RMSprop.builder(ps).lr(0.003).alpha(0.9).eps(1e-6).weightDecay(0.05)
                .momentum(0.7).centered(true).build(), rmsprop(0.003, 0.9, 1e-6, 0.05, 0.7, true, false));
        compare("rmsprop momentum maximize", ps -> RMSprop.builder(ps).momentum(0.5).maximize(true).build(),
                rmsprop(0.01, 0.99, 1e-8, 0, 0.5, false, true));
    }

    @Test
    void adagradVariants() {
        compare("adagrad defaults", ps -> Adagrad.builder(ps).build(), adagrad(0.01, 0, 0, 0, 1e-10, false));
        compare("adagrad decay wd init", ps -> Adagrad.builder(ps).lr(0.1).lrDecay(0.05).weightDecay(0.01)
                .initialAccumulatorValue(0.3).eps(1e-8).build(), adagrad(0.1, 0.05, 0.01, 0.3, 1e-8, false));
        compare("adagrad maximize", ps -> Adagrad.builder(ps).lr(0.1).maximize(true).build(),
                adagrad(0.1, 0, 0, 0, 1e-10, true));
    }
}
