package org.rnn4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.rnn4j.spi.AbstractBackend;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * TEST ONLY: the simplest possible reference backend, a {@code double[]} per tensor, so that rnn-api's
 * own unit tests (losses, optimizers) can run without a real backend module. FLOAT32 tensors are kept
 * as doubles rounded to float after every op. Not fast, not for production.
 */
public final class RefBackend extends AbstractBackend {

    /** A shared instance. */
    public static final RefBackend INSTANCE = new RefBackend();

    /** A tensor of this backend. */
    public static final class RefTensor implements Tensor {
        private final RefBackend backend;
        private final double[] data;
        private final DType dtype;
        private final int[] shape;
        private volatile boolean closed;

        RefTensor(RefBackend backend, double[] data, DType dtype, int[] shape) {
            this.backend = backend;
            this.dtype = dtype;
            this.shape = shape.clone();
            if (dtype == DType.FLOAT32) {
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) data[i];
                }
            }
            this.data = data;
        }

        @Override
        public RefBackend backend() {
            return backend;
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public double[] toDoubleArray() {
            Tensors.requireOpen(this, "toDoubleArray(): this");
            return data.clone();
        }

        @Override
        public float[] toFloatArray() {
            Tensors.requireOpen(this, "toFloatArray(): this");
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) data[i];
            }
            return f;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public String toString() {
            return "RefTensor" + Shapes.str(shape) + " " + dtype + " " + Arrays.toString(data);
        }
    }

    @Override
    public String name() {
        return "ref";
    }

    @Override
    public String version() {
        return "test";
    }

    @Override
    public boolean supports(DType dtype) {
        return dtype != null;
    }

    private static double[] d(Tensor t) {
        return ((RefTensor) t).data;
    }

    private RefTensor make(double[] data, DType dtype, int... shape) {
        return new RefTensor(this, data, dtype, shape);
    }

    @Override
    protected Tensor doFromDoubles(double[] data, DType dtype, int[] shape) {
        return make(data.clone(), dtype, shape);
    }

    @Override
    protected Tensor doFromFloats(float[] data, DType dtype, int[] shape) {
        double[] a = new double[data.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = data[i];
        }
        return make(a, dtype, shape);
    }

    @Override
    protected Tensor doFull(double value, DType dtype, int[] shape) {
        double[] a = new double[Shapes.size(shape)];
        Arrays.fill(a, value);
        return make(a, dtype, shape);
    }

    @Override
    protected Tensor doReshape(Tensor a, int[] shape) {
        return make(d(a).clone(), a.dtype(), shape);
    }

    @Override
    protected Tensor doTranspose(Tensor a) {
        int m = a.shape()[0];
        int n = a.shape()[1];
        double[] x = d(a);
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                y[j * m + i] = x[i * n + j];
            }
        }
        return make(y, a.dtype(), n, m);
    }

    @Override
    protected Tensor doSlice(Tensor a, int axis, int start, int end) {
        int[] s = a.shape();
        int outer = Shapes.prefixSize(s, axis);
        int inner = Shapes.size(Arrays.copyOfRange(s, axis + 1, s.length));
        int len = end - start;
        double[] x = d(a);
        double[] y = new double[outer * len * inner];
        for (int o = 0; o < outer; o++) {
            System.arraycopy(x, (o * s[axis] + start) * inner, y, o * len * inner, len * inner);
        }
        int[] out = s.clone();
        out[axis] = len;
        return make(y, a.dtype(), out);
    }

    @Override
    protected Tensor doConcat(List<Tensor> parts, int axis) {
        int[] s = parts.get(0).shape();
        int outer = Shapes.prefixSize(s, axis);
        int inner = Shapes.size(Arrays.copyOfRange(s, axis + 1, s.length));
        int total = 0;
        for (Tensor p : parts) {
            total += p.shape()[axis];
        }
        double[] y = new double[outer * total * inner];
        int off = 0;
        for (Tensor p : parts) {
            int len = p.shape()[axis];
            double[] x = d(p);
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, o * len * inner, y, (o * total + off) * inner, len * inner);
            }
            off += len;
        }
        int[] out = s.clone();
        out[axis] = total;
        return make(y, parts.get(0).dtype(), out);
    }

    @Override
    protected Tensor doCast(Tensor a, DType dtype) {
        return make(d(a).clone(), dtype, a.shape());
    }

    /** The flat index into a tensor of shape {@code in} of output element {@code flat} of the broadcast shape {@code out}. */
    private static int source(int flat, int[] out, int[] in) {
        int idx = 0;
        int stride = 1;
        for (int d = out.length - 1, e = in.length - 1; d >= 0; d--, e--) {
            int i = flat % out[d];
            flat /= out[d];
            if (e >= 0) {
                idx += (in[e] == 1 ? 0 : i) * stride;
                stride *= in[e];
            }
        }
        return idx;
    }

    @Override
    protected Tensor doBinary(BinaryOp op, Tensor a, Tensor b, int[] outShape) {
        double[] x = d(a);
        double[] z = d(b);
        double[] y = new double[Shapes.size(outShape)];
        int[] sa = a.shape();
        int[] sb = b.shape();
        for (int i = 0; i < y.length; i++) {
            double u = x[source(i, outShape, sa)];
            double v = z[source(i, outShape, sb)];
            switch (op) {
                case ADD: y[i] = u + v; break;
                case SUB: y[i] = u - v; break;
                case MUL: y[i] = u * v; break;
                case DIV: y[i] = u / v; break;
                default: y[i] = Math.max(u, v); break;
            }
        }
        return make(y, a.dtype(), outShape);
    }

    @Override
    protected Tensor doScale(Tensor a, double s) {
        double[] x = d(a);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * s;
        }
        return make(y, a.dtype(), a.shape());
    }

    @Override
    protected Tensor doAddScalar(Tensor a, double s) {
        double[] x = d(a);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] + s;
        }
        return make(y, a.dtype(), a.shape());
    }

    @Override
    protected Tensor doAddScaled(Tensor a, Tensor b, double alpha) {
        double[] x = d(a);
        double[] z = d(b);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] + alpha * z[i];
        }
        return make(y, a.dtype(), a.shape());
    }

    @Override
    protected Tensor doUnary(UnaryOp op, Tensor a) {
        double[] x = d(a);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double u = x[i];
            switch (op) {
                case TANH: y[i] = Math.tanh(u); break;
                case SIGMOID: y[i] = 1 / (1 + Math.exp(-u)); break;
                case RELU: y[i] = u > 0 ? u : 0; break;
                case EXP: y[i] = Math.exp(u); break;
                case LOG: y[i] = Math.log(u); break;
                case SQRT: y[i] = Math.sqrt(u); break;
                default: y[i] = Math.abs(u); break;
            }
        }
        return make(y, a.dtype(), a.shape());
    }

    @Override
    protected Tensor doActivationBackward(UnaryOp op, Tensor yt, Tensor gt) {
        double[] y = d(yt);
        double[] g = d(gt);
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            switch (op) {
                case TANH: out[i] = g[i] * (1 - y[i] * y[i]); break;
                case SIGMOID: out[i] = g[i] * y[i] * (1 - y[i]); break;
                default: out[i] = y[i] > 0 ? g[i] : 0; break;
            }
        }
        return make(out, yt.dtype(), yt.shape());
    }

    @Override
    protected Tensor doMatmul(Tensor a, Tensor b, boolean ta, boolean tb) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int m = ta ? sa[1] : sa[0];
        int k = ta ? sa[0] : sa[1];
        int n = tb ? sb[0] : sb[1];
        double[] x = d(a);
        double[] z = d(b);
        double[] y = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double u = ta ? x[p * sa[1] + i] : x[i * sa[1] + p];
                    double v = tb ? z[j * sb[1] + p] : z[p * sb[1] + j];
                    s += u * v;
                }
                y[i * n + j] = s;
            }
        }
        return make(y, a.dtype(), m, n);
    }

    @Override
    protected Tensor doBmm(Tensor a, Tensor b, boolean ta, boolean tb) {
        int[] sa = a.shape();
        int[] sb = b.shape();
        int batch = sa[0];
        int m = ta ? sa[2] : sa[1];
        int n = tb ? sb[1] : sb[2];
        double[] y = new double[batch * m * n];
        for (int i = 0; i < batch; i++) {
            Tensor ai = doReshape(doSlice(a, 0, i, i + 1), new int[] {sa[1], sa[2]});
            Tensor bi = doReshape(doSlice(b, 0, i, i + 1), new int[] {sb[1], sb[2]});
            System.arraycopy(d(doMatmul(ai, bi, ta, tb)), 0, y, i * m * n, m * n);
        }
        return make(y, a.dtype(), batch, m, n);
    }

    /** Sum (mode 0), mean (1), biased (2) or unbiased (3) variance along {@code axis}. */
    private Tensor reduce(Tensor a, int axis, boolean keepDim, int mode) {
        int[] s = a.shape();
        int outer = Shapes.prefixSize(s, axis);
        int n = s[axis];
        int inner = Shapes.size(Arrays.copyOfRange(s, axis + 1, s.length));
        double[] x = d(a);
        double[] y = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += x[(o * n + i) * inner + j];
                }
                double mean = sum / n;
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    double dev = x[(o * n + i) * inner + j] - mean;
                    sq += dev * dev;
                }
                y[o * inner + j] = mode == 0 ? sum : mode == 1 ? mean : sq / (mode == 2 ? n : n - 1);
            }
        }
        int[] out;
        if (keepDim) {
            out = s.clone();
            out[axis] = 1;
        } else {
            out = new int[s.length - 1];
            System.arraycopy(s, 0, out, 0, axis);
            System.arraycopy(s, axis + 1, out, axis, s.length - axis - 1);
        }
        return make(y, a.dtype(), out);
    }

    @Override
    protected Tensor doSumAxis(Tensor a, int axis, boolean keepDim) {
        return reduce(a, axis, keepDim, 0);
    }

    @Override
    protected Tensor doMeanAxis(Tensor a, int axis, boolean keepDim) {
        return reduce(a, axis, keepDim, 1);
    }

    @Override
    protected Tensor doVarAxis(Tensor a, int axis, boolean keepDim, boolean unbiased) {
        return reduce(a, axis, keepDim, unbiased ? 3 : 2);
    }

    @Override
    protected Tensor doWhere(Tensor mask, Tensor a, Tensor b, int[] outShape) {
        double[] m = d(mask);
        double[] x = d(a);
        double[] z = d(b);
        double[] y = new double[Shapes.size(outShape)];
        for (int i = 0; i < y.length; i++) {
            y[i] = m[source(i, outShape, mask.shape())] != 0 ? x[source(i, outShape, a.shape())] : z[source(i, outShape, b.shape())];
        }
        return make(y, a.dtype(), outShape);
    }

    @Override
    protected Tensor doMaskedFill(Tensor a, Tensor mask, double value) {
        return doWhere(mask, doFull(value, a.dtype(), new int[0]), a, a.shape());
    }

    @Override
    protected Tensor doMatmulAccumulate(Tensor c, Tensor a, Tensor b, boolean ta, boolean tb, double alpha, double beta) {
        double[] p = d(doMatmul(a, b, ta, tb));
        double[] z = d(c);
        double[] y = new double[p.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = alpha * p[i] + beta * z[i];
        }
        return make(y, c.dtype(), c.shape());
    }

    @Override
    protected void doAddScaledInPlace(Tensor target, double beta, Tensor b, double alpha) {
        // rounded as scale then addScaled would round: each op's result is stored in the tensor's dtype
        double[] x = d(target);
        double[] z = d(b);
        boolean f32 = target.dtype() == DType.FLOAT32;
        for (int i = 0; i < x.length; i++) {
            double scaled = beta == 1 ? x[i] : f32 ? (float) (x[i] * beta) : x[i] * beta;
            double sum = scaled + alpha * z[i];
            x[i] = f32 ? (float) sum : sum;
        }
    }

    @Override
    protected Tensor doSum(Tensor a) {
        double s = 0;
        for (double v : d(a)) {
            s += v;
        }
        return make(new double[] {s}, a.dtype());
    }

    @Override
    protected Tensor doMaxAbs(Tensor a) {
        double m = 0;
        for (double v : d(a)) {
            m = Math.max(m, Math.abs(v));
        }
        return make(new double[] {m}, a.dtype());
    }

    @Override
    protected Tensor doSumToTrailing(Tensor a, int[] trailing) {
        int m = Shapes.size(trailing);
        double[] x = d(a);
        double[] y = new double[m];
        for (int i = 0; i < x.length; i++) {
            y[i % m] += x[i];
        }
        return make(y, a.dtype(), trailing);
    }

    @Override
    protected Tensor doSumLastAxis(Tensor a) {
        int[] s = a.shape();
        int n = s[s.length - 1];
        double[] x = d(a);
        double[] y = new double[n == 0 ? 0 : x.length / n];
        for (int i = 0; i < x.length; i++) {
            y[i / n] += x[i];
        }
        return make(y, a.dtype(), Arrays.copyOf(s, s.length - 1));
    }

    @Override
    protected Tensor doLogSoftmax(Tensor a, boolean log) {
        int cols = a.shape()[a.rank() - 1];
        int rows = cols == 0 ? 0 : a.size() / cols;
        double[] x = d(a);
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[r * cols + c]);
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += Math.exp(x[r * cols + c] - max);
            }
            double lse = max + Math.log(s);
            for (int c = 0; c < cols; c++) {
                double v = x[r * cols + c] - lse;
                y[r * cols + c] = log ? v : Math.exp(v);
            }
        }
        return make(y, a.dtype(), a.shape());
    }

    @Override
    protected Tensor doLogSoftmaxBackward(Tensor yt, Tensor gt) {
        int cols = yt.shape()[yt.rank() - 1];
        int rows = cols == 0 ? 0 : yt.size() / cols;
        double[] y = d(yt);
        double[] g = d(gt);
        double[] out = new double[y.length];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += g[r * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = g[r * cols + c] - Math.exp(y[r * cols + c]) * s;
            }
        }
        return make(out, yt.dtype(), yt.shape());
    }

    @Override
    protected Tensor doGatherColumns(Tensor a, int[] index) {
        int cols = a.shape()[1];
        double[] x = d(a);
        double[] y = new double[index.length];
        for (int n = 0; n < index.length; n++) {
            y[n] = x[n * cols + index[n]];
        }
        return make(y, a.dtype(), index.length);
    }

    @Override
    protected Tensor doScatterColumns(Tensor g, int[] index, int columns) {
        double[] x = d(g);
        double[] y = new double[index.length * columns];
        for (int n = 0; n < index.length; n++) {
            y[n * columns + index[n]] = x[n];
        }
        return make(y, g.dtype(), index.length, columns);
    }

    @Override
    protected Tensor doGatherRows(Tensor a, int[] index) {
        int e = a.shape()[1];
        double[] x = d(a);
        double[] y = new double[index.length * e];
        for (int n = 0; n < index.length; n++) {
            System.arraycopy(x, index[n] * e, y, n * e, e);
        }
        return make(y, a.dtype(), index.length, e);
    }

    @Override
    protected Tensor doScatterAddRows(Tensor g, int[] index, int rows) {
        int e = g.shape()[1];
        double[] x = d(g);
        double[] y = new double[rows * e];
        for (int n = 0; n < index.length; n++) {
            for (int j = 0; j < e; j++) {
                y[index[n] * e + j] += x[n * e + j];
            }
        }
        return make(y, g.dtype(), rows, e);
    }

    // ---- golden cases (test support) ----

    /** The folder of the committed golden PyTorch cases (rnn-conformance's resources). */
    public static Path goldenDir() {
        for (String c : new String[] {"../rnn-conformance/src/main/resources/golden", "rnn-conformance/src/main/resources/golden",
            "/work/main/rnn-conformance/src/main/resources/golden"}) {
            Path p = Paths.get(c);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("golden cases not found from " + Paths.get("").toAbsolutePath());
    }

    /** One golden case file, read with {@link SafeTensors}. */
    public static final class Golden {
        private final SafeTensorsFile file;

        private Golden(SafeTensorsFile file) {
            this.file = file;
        }

        /** Reads {@code name}.safetensors from {@link #goldenDir()}. */
        public static Golden load(String name) {
            try {
                return new Golden(SafeTensors.read(goldenDir().resolve(name + ".safetensors")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public Map<String, String> meta() {
            return file.metadata();
        }

        public String meta(String key) {
            String v = file.metadata().get(key);
            if (v == null) {
                throw new IllegalArgumentException(file.source() + " has no metadata '" + key + "': " + file.metadata());
            }
            return v;
        }

        public boolean has(String name) {
            return file.has(name);
        }

        public double[] doubles(String name) {
            return file.tensor(name).asDoubles();
        }

        public int[] ints(String name) {
            return file.tensor(name).asInts();
        }

        public int[] shape(String name) {
            return file.tensor(name).shape();
        }

        /** The tensor {@code name} on {@code backend} in {@code dtype}. */
        public Tensor tensor(String name, AbstractBackend backend, DType dtype) {
            return file.tensor(name).toTensor(backend, dtype);
        }
    }
}
