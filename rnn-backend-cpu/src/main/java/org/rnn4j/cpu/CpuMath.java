package org.rnn4j.cpu;

/** Scalar activation functions shared by the elementwise ops and the fused cells. */
final class CpuMath {
    private CpuMath() {
    }

    /** Logistic sigmoid; saturates cleanly to 0 and 1 for large |x|. */
    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    /**
     * Hyperbolic tangent accurate to float precision (relative error below 1e-10), about twice as fast
     * as {@link Math#tanh}, which is not a JIT intrinsic: through {@code exp} away from 0, a Taylor
     * polynomial near 0 where the {@code exp} form would cancel.
     */
    static double tanhFloat(double x) {
        if (Math.abs(x) < 0.0625) {
            double x2 = x * x;
            // x - x^3/3 + 2x^5/15 - 17x^7/315
            return x * (1.0 + x2 * (-1.0 / 3 + x2 * (2.0 / 15 - x2 * (17.0 / 315))));
        }
        return 2.0 / (1.0 + Math.exp(-2.0 * x)) - 1.0;
    }

    /** tanh at the precision of the dtype: {@link #tanhFloat} for float32, {@link Math#tanh} for float64. */
    static double tanh(double x, boolean float32) {
        return float32 ? tanhFloat(x) : Math.tanh(x);
    }
}
