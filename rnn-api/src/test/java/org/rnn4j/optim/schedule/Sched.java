package org.rnn4j.optim.schedule;

import java.util.List;
import org.rnn4j.autograd.Var;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.DType;
import org.rnn4j.testing.RefBackend;

/** Test helpers: an optimizer over one zero parameter, and the rates a schedule sets step by step. */
final class Sched {
    private Sched() {
    }

    static Optimizer sgd(double lr, double momentum) {
        return SGD.builder(List.of(param())).lr(lr).momentum(momentum).build();
    }

    static Optimizer adam(double lr) {
        return Adam.builder(List.of(param())).lr(lr).build();
    }

    private static Var param() {
        return Var.parameter(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1));
    }

    /** {@code {lr[i], momentum[i]}} in effect for optimizer step i, stepping the schedule after each (as generate.py). */
    static double[][] trace(Optimizer opt, LrScheduler s, int steps, double[] metrics) {
        double[][] out = new double[2][steps];
        Var p = opt.parameters().get(0);
        for (int i = 0; i < steps; i++) {
            out[0][i] = opt.lr();
            out[1][i] = opt.hasMomentum() ? opt.momentum() : Double.NaN;
            p.setGrad(RefBackend.INSTANCE.zeros(DType.FLOAT64, 1));
            opt.step();
            if (metrics != null) {
                s.step(metrics[i]);
            } else {
                s.step();
            }
        }
        return out;
    }

    static double[] lrs(Optimizer opt, LrScheduler s, int steps) {
        return trace(opt, s, steps, null)[0];
    }
}
