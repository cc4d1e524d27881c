package org.rnn4j.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * The machine's reference rate ({@code --ceiling}): a square float32 matrix product
 * {@code C = A · B} of size {@code n} (workload {@code ceiling-sgemm-N}), timed through an rnn4j
 * backend's own {@code matmul}: for {@code nd4j} the BLAS ND4J calls (OpenBLAS), for {@code cpu} the
 * backend's Java kernel. Every timed step computes the whole product into a new tensor.
 *
 * @param size n: A and B are {@code [n, n]}
 */
record Ceiling(int size) implements Subject {
    /** The size the target refers to. */
    static final int DEFAULT_SIZE = 2048;
    /** Elements of C compared with a float64 dot product before the backend is timed. */
    static final int CHECKED = 64;

    Ceiling {
        if (size < 1) {
            throw new IllegalArgumentException("ceiling size = " + size + ", expected >= 1");
        }
    }

    @Override
    public String name() {
        return "ceiling-sgemm-" + size;
    }

    @Override
    public double flopsPerStep() {
        return 2.0 * size * size * size;
    }

    @Override
    public double tensorBytesPerStep() {
        return 3.0 * 4 * size * size;
    }

    /** A one-line description for the log. */
    String describe() {
        return String.format(Locale.ROOT, "float32 [%d,%d] x [%d,%d] matrix product", size, size, size, size);
    }

    /** The operands, U(-1, 1) from a fixed seed, and the elements of C the check compares. */
    static final class Data {
        final Ceiling ceiling;
        final float[] a;
        final float[] b;
        /** Flat indices into C of the checked elements. */
        final int[] checked;

        Data(Ceiling c, long seed) {
            this.ceiling = c;
            int n = c.size();
            SplittableRandom rng = new SplittableRandom(seed);
            a = new float[n * n];
            b = new float[n * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (rng.nextDouble() * 2 - 1);
                b[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            checked = new int[Math.min(CHECKED, n * n)];
            for (int i = 0; i < checked.length; i++) {
                checked[i] = rng.nextInt(n * n);
            }
        }

        /** The checked elements of {@code A · B}, each a float64 dot product: the reference. */
        Impl.Outputs reference() {
            int n = ceiling.size();
            float[] out = new float[checked.length];
            for (int q = 0; q < checked.length; q++) {
                int i = checked[q] / n;
                int j = checked[q] % n;
                double s = 0;
                for (int kk = 0; kk < n; kk++) {
                    s += (double) a[i * n + kk] * b[kk * n + j];
                }
                out[q] = (float) s;
            }
            return new Impl.Outputs(out, java.util.Map.of());
        }
    }

    /** The product on one rnn4j backend. */
    static final class OnBackend implements LocalImpl {
        private final String name;
        private final Data data;
        private final ComputeBackend ops;
        private final Tensor a;
        private final Tensor b;
        private double sink;

        OnBackend(String name, Backend backend, Data data) {
            this.name = name;
            this.data = data;
            this.ops = ComputeBackend.of(backend);
            int n = data.ceiling.size();
            this.a = backend.fromFloats(data.a, DType.FLOAT32, n, n);
            this.b = backend.fromFloats(data.b, DType.FLOAT32, n, n);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Outputs outputs(int gradBatch) {
            try (Tensor c = ops.matmul(a, b, false, false)) {
                float[] all = c.toFloatArray();
                float[] out = new float[data.checked.length];
                for (int q = 0; q < out.length; q++) {
                    out[q] = all[data.checked[q]];
                }
                return new Outputs(out, java.util.Map.of());
            }
        }

        @Override
        public void step() {
            try (Tensor c = ops.matmul(a, b, false, false)) {
                sink += c.size();
            }
        }

        @Override
        public String note() {
            return data.ceiling.name() + ": " + ops.version();
        }

        @Override
        public void close() {
            a.close();
            b.close();
        }
    }
}
