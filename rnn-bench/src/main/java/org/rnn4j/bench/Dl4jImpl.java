package org.rnn4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The DL4J peer (Deeplearning4j 1.0.0-M2.1, in this JVM): an {@code LSTM} or {@code SimpleRnn} layer
 * followed by an {@code RnnLossLayer} (MSE, identity), trained with {@code fit} and {@code Sgd};
 * inference is {@code output(x, false)}. Sequences are in DL4J's native {@link RNNFormat#NCW} layout
 * {@code [B, features, T]}, transposed once at setup (M2.1's {@code RnnLossLayer} mishandles NWC labels).
 *
 * <p>Weight mapping from PyTorch's layout. DL4J keeps {@code W [I, 4H]}, {@code RW [H, 4H]} and one bias
 * {@code b [4H]} (= {@code b_ih + b_hh}); its gate blocks are ordered (block input g, forget f,
 * output o, input gate i) where PyTorch's are (i, f, g, o). {@code SimpleRnn} computes
 * {@code tanh(x W + h RW + b)} with {@code W [I, H]}, {@code RW [H, H]}, one bias. DL4J has no GRU
 * layer: GRU workloads are not applicable.
 */
final class Dl4jImpl implements LocalImpl {
    /** DL4J's LSTM gate block k holds PyTorch's gate {@code TORCH_GATE[k]} (PyTorch: 0 i, 1 f, 2 g, 3 o). */
    static final int[] TORCH_GATE = {2, 1, 3, 0};

    private final Workload w;
    private final Nd4jInfo.Threads saved;
    private final MultiLayerNetwork net;
    private final INDArray x;
    private final INDArray y;
    private final DataSet ds;
    private double sink;

    private Dl4jImpl(WorkloadData d, int threads) {
        this.w = d.workload();
        // ND4J's thread settings are process-wide and the nd4j backend tunes them for itself: DL4J's rows run
        // with DL4J's defaults (every thread count = the cores given), and the previous settings come back on close
        this.saved = Nd4jInfo.Threads.current();
        Nd4jInfo.Threads.all(threads).apply();
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Layer rnn = w.cell() == Workload.CellKind.LSTM
                ? new LSTM.Builder().nIn(w.input()).nOut(w.hidden()).activation(Activation.TANH)
                        .gateActivationFunction(Activation.SIGMOID).dataFormat(RNNFormat.NCW).build()
                : new SimpleRnn.Builder().nIn(w.input()).nOut(w.hidden()).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build();
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .seed(1)
                .updater(new Sgd(WorkloadData.LR))
                .list()
                .layer(rnn)
                .layer(new RnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).dataFormat(RNNFormat.NCW).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        setParameters(d);
        x = Nd4j.create(d.x(), new long[] {w.batch(), w.steps(), w.input()}, 'c').permute(0, 2, 1).dup('c');
        y = Nd4j.create(d.target(), new long[] {w.batch(), w.steps(), w.hidden()}, 'c').permute(0, 2, 1).dup('c');
        ds = new DataSet(x, y);
    }

    /** The DL4J peer for {@code d}'s workload on {@code threads} threads, or {@link NotApplicable} with the reason. */
    static LocalImpl create(WorkloadData d, int threads) throws NotApplicable {
        if (d.workload().cell() == Workload.CellKind.GRU) {
            throw new NotApplicable("DL4J 1.0.0-M2.1 has no GRU layer; its SameDiff gru op applies the reset gate "
                    + "before the recurrent matmul, so PyTorch's GRU cannot be mapped onto it");
        }
        Nd4jInfo.Threads before = Nd4jInfo.Threads.current();
        try {
            return new Dl4jImpl(d, threads);
        } catch (RuntimeException | Error e) {
            before.apply();
            throw e;
        }
    }

    private int gates() {
        return w.gates();
    }

    /** Column block of DL4J holding PyTorch's gate {@code g}. */
    private int dl4jBlock(int torchGate) {
        if (gates() == 1) {
            return 0;
        }
        for (int k = 0; k < TORCH_GATE.length; k++) {
            if (TORCH_GATE[k] == torchGate) {
                return k;
            }
        }
        throw new AssertionError(torchGate);
    }

    /** PyTorch {@code [G*H, n]} to DL4J {@code [n, G*H]} with DL4J's gate order. */
    private float[] toDl4j(float[] torch, int n) {
        int h = w.hidden();
        int gh = gates() * h;
        float[] out = new float[n * gh];
        for (int g = 0; g < gates(); g++) {
            int col0 = dl4jBlock(g) * h;
            for (int j = 0; j < h; j++) {
                int row = (g * h + j) * n;
                for (int i = 0; i < n; i++) {
                    out[i * gh + col0 + j] = torch[row + i];
                }
            }
        }
        return out;
    }

    /** DL4J {@code [n, G*H]} back to PyTorch's {@code [G*H, n]}. */
    private float[] toTorch(float[] dl4j, int n) {
        int h = w.hidden();
        int gh = gates() * h;
        float[] out = new float[gh * n];
        for (int g = 0; g < gates(); g++) {
            int col0 = dl4jBlock(g) * h;
            for (int j = 0; j < h; j++) {
                int row = (g * h + j) * n;
                for (int i = 0; i < n; i++) {
                    out[row + i] = dl4j[i * gh + col0 + j];
                }
            }
        }
        return out;
    }

    private void setParameters(WorkloadData d) {
        int gh = gates() * w.hidden();
        float[] bih = d.parameter(WorkloadData.B_IH);
        float[] bhh = d.parameter(WorkloadData.B_HH);
        float[] sum = new float[gh];
        for (int i = 0; i < gh; i++) {
            sum[i] = bih[i] + bhh[i];
        }
        assign("0_W", toDl4j(d.parameter(WorkloadData.W_IH), w.input()));
        assign("0_RW", toDl4j(d.parameter(WorkloadData.W_HH), w.hidden()));
        assign("0_b", toDl4j(sum, 1));
    }

    private void assign(String key, float[] data) {
        INDArray p = net.getParam(key);
        if (p.length() != data.length) {
            throw new IllegalStateException("DL4J parameter " + key + " has shape " + java.util.Arrays.toString(p.shape())
                    + " but the mapping produced " + data.length + " values");
        }
        p.assign(Nd4j.create(data, p.shape(), 'c'));
    }

    @Override
    public String name() {
        return "dl4j";
    }

    /**
     * Forward output, and for training the gradients of {@code computeGradientAndScore} on the first
     * {@code gradBatch} sequences: DL4J's MSE sums over the {@code n*T} rows (dividing by H), where the
     * reference averages over all elements, so its raw gradients are {@code n*T} times the reference's
     * and are divided by that before the comparison.
     */
    @Override
    public Outputs outputs(int gradBatch) {
        float[] out = flat(net.output(x, false).permute(0, 2, 1));
        if (!w.train()) {
            return new Outputs(out, Map.of());
        }
        INDArrayIndex first = NDArrayIndex.interval(0, gradBatch);
        net.setInput(x.get(first, NDArrayIndex.all(), NDArrayIndex.all()).dup('c'));
        net.setLabels(y.get(first, NDArrayIndex.all(), NDArrayIndex.all()).dup('c'));
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        float scale = 1f / ((float) gradBatch * w.steps());
        float[] gW = scaled(g.getGradientFor("0_W"), scale);
        float[] gRW = scaled(g.getGradientFor("0_RW"), scale);
        float[] gb = toTorch(scaled(g.getGradientFor("0_b"), scale), 1);
        Map<String, float[]> grads = new LinkedHashMap<>();
        grads.put(WorkloadData.W_IH, toTorch(gW, w.input()));
        grads.put(WorkloadData.W_HH, toTorch(gRW, w.hidden()));
        grads.put(WorkloadData.B_IH, gb);
        grads.put(WorkloadData.B_HH, gb.clone());
        net.clear();
        return new Outputs(out, grads);
    }

    /** The elements in row-major order. */
    private static float[] flat(INDArray a) {
        return a.dup('c').reshape(a.length()).toFloatVector();
    }

    private static float[] scaled(INDArray a, float s) {
        float[] v = flat(a);
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return v;
    }

    @Override
    public void step() {
        if (w.train()) {
            net.fit(ds);
            sink += net.score();
        } else {
            sink += net.output(x, false).sumNumber().doubleValue();
        }
    }

    @Override
    public long offHeapBytes() {
        return Nd4jInfo.javacppBytes();
    }

    @Override
    public String note() {
        return (w.cell() == Workload.CellKind.LSTM ? "LSTM" : "SimpleRnn") + " + RnnLossLayer(MSE) in NCW layout, fit() with Sgd, "
                + "inference output(x, false); " + Nd4jInfo.Threads.current();
    }

    @Override
    public void close() {
        net.close();
        saved.apply();
    }
}
