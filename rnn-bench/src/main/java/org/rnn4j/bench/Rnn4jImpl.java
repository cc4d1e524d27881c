package org.rnn4j.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.loss.Losses;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * A workload on an rnn4j backend: {@link Recurrent} with the workload's weights, a training step of
 * forward, {@link Losses#mse} against the targets, backward, {@link SGD} and {@link Var#releaseGraph()}
 * (as {@code Trainer} does), or a forward pass with graph recording off. Also computes the float64 reference on the cpu backend.
 */
final class Rnn4jImpl implements LocalImpl {
    private final String name;
    private final Workload w;
    private final WorkloadData data;
    private final DType dtype;
    private final Backend backend;
    private final Recurrent layer;
    private final Var x;
    private final Var target;
    private final SGD sgd;
    /** Keeps the JIT from dropping the result of an inference step. */
    private double sink;

    Rnn4jImpl(String name, Backend backend, WorkloadData d, DType dtype) {
        this(name, backend, d, dtype, false);
    }

    /**
     * The reference: {@code d}'s workload on {@code backend} in {@code dtype} with the cell composed from
     * primitives (no fused kernel), so that it shares as little code as possible with the rows it checks.
     */
    static Rnn4jImpl reference(Backend backend, WorkloadData d, DType dtype) {
        return new Rnn4jImpl("reference", backend, d, dtype, true);
    }

    private Rnn4jImpl(String name, Backend backend, WorkloadData d, DType dtype, boolean composed) {
        this.name = name;
        this.w = d.workload();
        this.data = d;
        this.dtype = dtype;
        this.backend = backend;
        Cell cell = composed ? Cells.composed(cell(w.cell())) : cell(w.cell());
        this.layer = Recurrent.builder(cell, w.input(), w.hidden()).backend(backend).dtype(dtype).seed(1).build();
        int gh = w.gates() * w.hidden();
        set(WorkloadData.W_IH, d, dtype, gh, w.input());
        set(WorkloadData.W_HH, d, dtype, gh, w.hidden());
        set(WorkloadData.B_IH, d, dtype, gh);
        set(WorkloadData.B_HH, d, dtype, gh);
        this.x = Var.constant(backend.fromFloats(d.x(), dtype, w.batch(), w.steps(), w.input()));
        this.target = w.train() ? Var.constant(backend.fromFloats(d.target(), dtype, w.batch(), w.steps(), w.hidden())) : null;
        this.sgd = w.train() ? SGD.builder(layer.parameters().values()).lr(WorkloadData.LR).build() : null;
    }

    static Cell cell(Workload.CellKind k) {
        return switch (k) {
            case RNN -> Cells.rnnTanh();
            case LSTM -> Cells.lstm();
            case GRU -> Cells.gru();
        };
    }

    private void set(String param, WorkloadData d, DType dtype, int... shape) {
        layer.parameters().get(param).set(backend.fromFloats(d.parameter(param), dtype, shape));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Outputs outputs(int gradBatch) {
        float[] output;
        try (var off = Grad.disabled()) {
            output = layer.forward(x).output().value().toFloatArray();
        }
        if (!w.train()) {
            return new Outputs(output, Map.of());
        }
        Var xs = x;
        Var ts = target;
        if (gradBatch != w.batch()) {
            WorkloadData sub = data.firstSequences(gradBatch);
            xs = Var.constant(backend.fromFloats(sub.x(), dtype, gradBatch, w.steps(), w.input()));
            ts = Var.constant(backend.fromFloats(sub.target(), dtype, gradBatch, w.steps(), w.hidden()));
        }
        layer.zeroGrad();
        Losses.mse(layer.forward(xs).output(), ts).backward();
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (Map.Entry<String, Var> e : layer.parameters().entrySet()) {
            grads.put(e.getKey(), e.getValue().grad().toFloatArray());
        }
        layer.zeroGrad();
        return new Outputs(output, grads);
    }

    /** One timed step; reads back one scalar so that an asynchronous backend has finished. */
    @Override
    public void step() {
        if (w.train()) {
            sgd.zeroGrad();
            Var loss = Losses.mse(layer.forward(x).output(), target);
            loss.backward();
            sgd.step();
            sink += loss.value().item();
            // as Trainer does: the step's values go back to the backend (the cpu backend reuses their arrays)
            loss.releaseGraph();
        } else {
            try (var off = Grad.disabled()) {
                // as a serving loop that recycles does: the outputs are closed once read (the cpu backend reuses their arrays)
                Recurrent.Output out = layer.forward(x);
                try (Tensor total = org.rnn4j.spi.ComputeBackend.of(backend).sum(out.output().value())) {
                    sink += total.item();
                }
                out.output().value().close();
                out.finalState().forEach(v -> v.value().close());
            }
        }
    }

    @Override
    public String note() {
        // Recurrent.explain() says which path runs: "... on backend 'cpu': whole sequence fused:..., input projection ..."
        String e = layer.explain();
        int a = e.indexOf("': ");
        int b = e.indexOf(", input projection");
        return layer.cell().name() + ": " + (a >= 0 && b > a ? e.substring(a + 3, b) : e);
    }

    double sink() {
        return sink;
    }

    @Override
    public void close() {
        // tensors are released when collected; nothing native is held beyond the backend's own pools
    }
}
