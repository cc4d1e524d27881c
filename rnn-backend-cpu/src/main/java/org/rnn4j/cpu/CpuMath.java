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

    /** Inputs beyond this magnitude give tanh = +-1 to float precision in {@link #tanhFast}. */
    private static final double TANH_CLAMP = 7.90531110763549805;

    /**
     * tanh to float32 precision (absolute error below 3e-7) with no transcendental call: a (13/6)
     * rational approximation on [-7.9, 7.9] (Eigen's {@code ptanh_float} coefficients), clamped beyond.
     * For float32 kernels only; float64 uses {@link Math#tanh}.
     */
    static double tanhFast(double x) {
        double v = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, x));
        double x2 = v * v;
        double p = -2.76076847742355e-16;
        p = p * x2 + 2.00018790482477e-13;
        p = p * x2 + -8.60467152213735e-11;
        p = p * x2 + 5.12229709037114e-08;
        p = p * x2 + 1.48572235717979e-05;
        p = p * x2 + 6.37261928875436e-04;
        p = p * x2 + 4.89352455891786e-03;
        double q = 1.19825839466702e-06;
        q = q * x2 + 1.18534705686654e-04;
        q = q * x2 + 2.26843463243900e-03;
        q = q * x2 + 4.89352518554385e-03;
        return v * p / q;
    }

    /** Sigmoid to float32 precision (absolute error below 2e-7) through {@link #tanhFast}: {@code (1 + tanh(x/2)) / 2}. */
    static double sigmoidFast(double x) {
        return 0.5 + 0.5 * tanhFast(0.5 * x);
    }

    /** Sigmoid at the precision of the dtype. */
    static double sigmoid(double x, boolean float32) {
        return float32 ? sigmoidFast(x) : sigmoid(x);
    }

    /** tanh at the precision of the dtype, through {@link #tanhFast} for float32 (the sequence kernels). */
    static double tanhSeq(double x, boolean float32) {
        return float32 ? tanhFast(x) : Math.tanh(x);
    }
}
