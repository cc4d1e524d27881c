package org.rnn4j.nn;

import java.util.SplittableRandom;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Seeded, backend-independent initialisation: values are drawn on the host from a
 * {@link SplittableRandom}, so one seed gives identical weights on every backend.
 */
public final class Init {
    private Init() {
    }

    /** A tensor of {@code shape} drawn from U(-bound, bound); advances {@code rng}. */
    public static Tensor uniform(Backend backend, DType dtype, SplittableRandom rng, double bound, int... shape) {
        Shapes.checkPositive("Init.uniform shape", shape);
        double[] data = new double[Shapes.size(shape)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (rng.nextDouble() * 2 - 1) * bound;
        }
        return backend.fromDoubles(data, dtype, shape);
    }

    /** A tensor of {@code shape} drawn from N(0, std^2); advances {@code rng}. */
    public static Tensor normal(Backend backend, DType dtype, SplittableRandom rng, double std, int... shape) {
        Shapes.checkPositive("Init.normal shape", shape);
        double[] data = normalValues(rng, std, Shapes.size(shape));
        return backend.fromDoubles(data, dtype, shape);
    }

    /** A trainable parameter drawn from U(-bound, bound). */
    public static Var uniformParameter(Backend backend, DType dtype, SplittableRandom rng, double bound, int... shape) {
        return Var.parameter(uniform(backend, dtype, rng, bound, shape));
    }

    /** {@code n} draws from N(0, std^2) (Box-Muller, two normals per pair of uniforms), advancing {@code rng}. */
    public static double[] normalValues(SplittableRandom rng, double std, int n) {
        double[] data = new double[n];
        for (int i = 0; i < data.length; i += 2) {
            // Box-Muller: two independent normals per pair of uniforms
            double u1 = Math.max(rng.nextDouble(), 1e-300);
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            data[i] = std * r * Math.cos(2 * Math.PI * u2);
            if (i + 1 < data.length) {
                data[i + 1] = std * r * Math.sin(2 * Math.PI * u2);
            }
        }
        return data;
    }
}
