package org.rnn4j.cpu;

/**
 * The elementwise kernels, one method per op, each with one loop per storage type.
 *
 * <p>Why not one generic loop taking the arithmetic as a lambda: HotSpot compiles such a loop once,
 * sees every op's lambda at its call site and turns it into a megamorphic interface call per element;
 * a switch on the op per element is no better. Measured on JDK 17: about 8-12 ns per element either
 * way, against 1-3 ns for these loops. So the loops are spelled out, short and uniform; the same-shape
 * branch of the binary ops indexes all arrays alike, which lets C2 vectorise it.
 *
 * <p>Binary ops take {@code y} of {@code x}'s shape or of a trailing suffix of it (repeated over the
 * leading dimensions, a single element included). float32 arithmetic is done in float, with scalar
 * arguments rounded to float first (as PyTorch does; mixing in doubles would cost a float/double
 * conversion per element, measured 5-10x slower); transcendental functions are evaluated in double and
 * rounded once.
 *
 * <p>Each op writes every element of its result, an array taken from the {@link ArrayPool} {@code p}
 * (contents unspecified until written); no argument is modified.
 */
final class Elementwise {
    private Elementwise() {
    }

    /** Elementwise {@code x + y} with suffix broadcasting of {@code y}. */
    static Object add(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            if (b.length == a.length) {
                for (int i = 0; i < a.length; i++) {
                    z[i] = a[i] + b[i];
                }
            } else {
                for (int o = 0; o < a.length; o += b.length) {
                    for (int j = 0; j < b.length; j++) {
                        z[o + j] = a[o + j] + b[j];
                    }
                }
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        if (b.length == a.length) {
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] + b[i];
            }
        } else {
            for (int o = 0; o < a.length; o += b.length) {
                for (int j = 0; j < b.length; j++) {
                    z[o + j] = a[o + j] + b[j];
                }
            }
        }
        return z;
    }

    /** Elementwise {@code x - y} with suffix broadcasting of {@code y}. */
    static Object sub(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            if (b.length == a.length) {
                for (int i = 0; i < a.length; i++) {
                    z[i] = a[i] - b[i];
                }
            } else {
                for (int o = 0; o < a.length; o += b.length) {
                    for (int j = 0; j < b.length; j++) {
                        z[o + j] = a[o + j] - b[j];
                    }
                }
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        if (b.length == a.length) {
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] - b[i];
            }
        } else {
            for (int o = 0; o < a.length; o += b.length) {
                for (int j = 0; j < b.length; j++) {
                    z[o + j] = a[o + j] - b[j];
                }
            }
        }
        return z;
    }

    /** Elementwise {@code x * y} with suffix broadcasting of {@code y}. */
    static Object mul(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            if (b.length == a.length) {
                for (int i = 0; i < a.length; i++) {
                    z[i] = a[i] * b[i];
                }
            } else {
                for (int o = 0; o < a.length; o += b.length) {
                    for (int j = 0; j < b.length; j++) {
                        z[o + j] = a[o + j] * b[j];
                    }
                }
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        if (b.length == a.length) {
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] * b[i];
            }
        } else {
            for (int o = 0; o < a.length; o += b.length) {
                for (int j = 0; j < b.length; j++) {
                    z[o + j] = a[o + j] * b[j];
                }
            }
        }
        return z;
    }

    /** Elementwise {@code x / y} with suffix broadcasting of {@code y}. */
    static Object div(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            if (b.length == a.length) {
                for (int i = 0; i < a.length; i++) {
                    z[i] = a[i] / b[i];
                }
            } else {
                for (int o = 0; o < a.length; o += b.length) {
                    for (int j = 0; j < b.length; j++) {
                        z[o + j] = a[o + j] / b[j];
                    }
                }
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        if (b.length == a.length) {
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] / b[i];
            }
        } else {
            for (int o = 0; o < a.length; o += b.length) {
                for (int j = 0; j < b.length; j++) {
                    z[o + j] = a[o + j] / b[j];
                }
            }
        }
        return z;
    }

    /** Elementwise maximum of two arrays of one length (NaN if either is NaN). */
    static Object max(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = Math.max(a[i], b[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = Math.max(a[i], b[i]);
        }
        return z;
    }

    /** {@code x + alpha * y} for two arrays of one length. */
    static Object addScaled(ArrayPool p, Object x, Object y, double alpha) {
        if (x instanceof float[] a) {
            float af = (float) alpha;
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] + af * b[i];
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = a[i] + alpha * b[i];
        }
        return z;
    }

    /**
     * {@code x = beta * x + alpha * y} in place, rounded as {@link #scale} then {@link #addScaled} round
     * (the scale skipped when {@code beta == 1}). Writes {@code x} only.
     */
    static void scaleAddInPlace(Object x, double beta, Object y, double alpha) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float af = (float) alpha;
            if (beta == 1) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = a[i] + af * b[i];
                }
            } else {
                float bf = (float) beta;
                for (int i = 0; i < a.length; i++) {
                    a[i] = a[i] * bf + af * b[i];
                }
            }
            return;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        if (beta == 1) {
            for (int i = 0; i < a.length; i++) {
                a[i] = a[i] + alpha * b[i];
            }
        } else {
            for (int i = 0; i < a.length; i++) {
                a[i] = a[i] * beta + alpha * b[i];
            }
        }
    }

    /** {@code x * s}. */
    static Object scale(ArrayPool p, Object x, double s) {
        if (x instanceof float[] a) {
            float sf = (float) s;
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] * sf;
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = a[i] * s;
        }
        return z;
    }

    /** {@code x + s}. */
    static Object addScalar(ArrayPool p, Object x, double s) {
        if (x instanceof float[] a) {
            float sf = (float) s;
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] + sf;
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = a[i] + s;
        }
        return z;
    }

    /** Hyperbolic tangent (float32 through {@link CpuMath#tanhFloat}). */
    static Object tanh(ArrayPool p, Object x) {
        if (x instanceof float[] a) {
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = (float) CpuMath.tanhFloat(a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = Math.tanh(a[i]);
        }
        return z;
    }

    /** Logistic sigmoid. */
    static Object sigmoid(ArrayPool p, Object x) {
        if (x instanceof float[] a) {
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = (float) CpuMath.sigmoid(a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = CpuMath.sigmoid(a[i]);
        }
        return z;
    }

    /** {@code max(x, 0)}; NaN stays NaN. */
    static Object relu(ArrayPool p, Object x) {
        if (x instanceof float[] a) {
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = Math.max(a[i], 0f);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = Math.max(a[i], 0.0);
        }
        return z;
    }

    /** Natural exponential. */
    static Object exp(ArrayPool p, Object x) {
        if (x instanceof float[] a) {
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = (float) Math.exp(a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = Math.exp(a[i]);
        }
        return z;
    }

    /** Natural logarithm. */
    static Object log(ArrayPool p, Object x) {
        if (x instanceof float[] a) {
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = (float) Math.log(a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = Math.log(a[i]);
        }
        return z;
    }

    /** Square root. */
    static Object sqrt(ArrayPool p, Object x) {
        if (x instanceof float[] a) {
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = (float) Math.sqrt(a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = Math.sqrt(a[i]);
        }
        return z;
    }

    /** Absolute value. */
    static Object abs(ArrayPool p, Object x) {
        if (x instanceof float[] a) {
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = Math.abs(a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = Math.abs(a[i]);
        }
        return z;
    }

    /** {@code gy * (1 - y^2)} from the output {@code y} (here {@code x}) and {@code gy} (here {@code y}). */
    static Object tanhBackward(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = b[i] * (1 - a[i] * a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = b[i] * (1 - a[i] * a[i]);
        }
        return z;
    }

    /** {@code gy * y * (1 - y)} from the output {@code y} (here {@code x}) and {@code gy} (here {@code y}). */
    static Object sigmoidBackward(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = b[i] * a[i] * (1 - a[i]);
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = b[i] * a[i] * (1 - a[i]);
        }
        return z;
    }

    /** {@code gy} where the output {@code y} (here {@code x}) is positive, else 0. */
    static Object reluBackward(ArrayPool p, Object x, Object y) {
        if (x instanceof float[] a) {
            float[] b = (float[]) y;
            float[] z = p.floats(a.length);
            for (int i = 0; i < a.length; i++) {
                z[i] = a[i] > 0 ? b[i] : 0f;
            }
            return z;
        }
        double[] a = (double[]) x;
        double[] b = (double[]) y;
        double[] z = p.doubles(a.length);
        for (int i = 0; i < a.length; i++) {
            z[i] = a[i] > 0 ? b[i] : 0.0;
        }
        return z;
    }
}
