package org.rnn4j.conformance;

import org.rnn4j.spi.ComputeBackend;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.CrossEntropyOptions;
import org.rnn4j.loss.Losses;
import org.rnn4j.loss.Reduction;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.optim.Adagrad;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.AdamBase;
import org.rnn4j.optim.AdamW;
import org.rnn4j.optim.GradClip;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.optim.RMSprop;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Runs one golden case on a backend in a dtype and asserts every output and gradient it holds, with the
 * tolerances of {@link Expect}. A case of an unknown kind, or with a setting this runner does not know,
 * fails rather than passes.
 */
public final class GoldenRunner {
    private GoldenRunner() {
    }

    /**
     * Dispatches on {@code kind}: recurrent, loss, optimizer, clip_grad_norm, embedding, ctc, audio_features, lr_scheduler, bleu,
     * layer_norm, attention_additive, attention_multihead.
     */
    public static void run(GoldenCase c, ComputeBackend backend, DType dtype) {
        switch (c.kind()) {
            case "recurrent" -> recurrent(c, backend, dtype, null);
            case "loss" -> loss(c, backend, dtype);
            case "optimizer" -> optimizer(c, backend, dtype);
            case "clip_grad_norm" -> clip(c, backend, dtype);
            case "embedding" -> GoldenLayers.embedding(c, backend, dtype);
            case "ctc" -> CtcGoldenRunner.run(c, backend, dtype);
            case "audio_features" -> AudioGoldenRunner.run(c, backend, dtype);
            case "lr_scheduler" -> ScheduleGoldenRunner.run(c, backend, dtype);
            case "bleu" -> BleuGoldenRunner.run(c);
            case "layer_norm" -> GoldenLayers.layerNorm(c, backend, dtype);
            case "attention_additive" -> AttentionGoldenRunner.additive(c, backend, dtype);
            case "attention_multihead" -> AttentionGoldenRunner.multihead(c, backend, dtype);
            default -> throw new AssertionError("golden case " + c.name() + " has unknown kind '" + c.kind()
                    + "'; known: recurrent, loss, optimizer, clip_grad_norm, embedding, ctc, audio_features, lr_scheduler, bleu, "
                    + "layer_norm, attention_additive, attention_multihead");
        }
    }

    /** The built-in cell a recurrent case names. */
    public static Cell cellOf(GoldenCase c) {
        String cell = c.meta("cell");
        return switch (cell) {
            case "rnn" -> "relu".equals(c.meta("nonlinearity")) ? Cells.rnnRelu() : Cells.rnnTanh();
            case "lstm" -> Cells.lstm();
            case "gru" -> Cells.gru();
            default -> throw new AssertionError("golden case " + c.name() + ": unknown cell '" + cell + "'");
        };
    }

    /**
     * Runs a recurrent case; {@code cellOverride} (may be null) replaces the cell the case names, e.g. with
     * {@link Cells#composed} to check the composed path against the same oracle.
     */
    public static void recurrent(GoldenCase c, ComputeBackend backend, DType dtype, Cell cellOverride) {
        if (!"true".equals(c.meta("batch_first", "true"))) {
            throw new AssertionError("golden case " + c.name() + ": only batch_first=true is supported");
        }
        Cell cell = cellOverride != null ? cellOverride : cellOf(c);
        Recurrent layer = Recurrent.builder(cell, c.metaInt("input_size"), c.metaInt("hidden_size"))
                .numLayers(c.metaInt("num_layers")).bidirectional(c.metaBool("bidirectional")).bias(c.metaBool("bias"))
                .projSize(Integer.parseInt(c.meta("proj_size", "0"))).backend(backend).dtype(dtype).build();
        Set<String> caseParams = new HashSet<>();
        for (String n : c.file().tensors().keySet()) {
            if (n.startsWith("weight_") || n.startsWith("bias_")) {
                caseParams.add(n);
            }
        }
        if (!caseParams.equals(layer.parameters().keySet())) {
            throw new AssertionError("golden case " + c.name() + ": parameters " + caseParams + " but the layer has "
                    + layer.parameters().keySet());
        }
        for (Map.Entry<String, Var> e : layer.parameters().entrySet()) {
            e.getValue().set(c.tensor(e.getKey(), backend, dtype));
        }
        Var x = Var.leaf(c.tensor("x", backend, dtype), true);
        boolean lstm = cell.stateNames().size() == 2;
        List<Var> init = null;
        if (c.metaBool("has_h0")) {
            init = new ArrayList<>();
            init.add(Var.leaf(c.tensor("h0", backend, dtype), true));
            if (lstm) {
                init.add(Var.leaf(c.tensor("c0", backend, dtype), true));
            }
        }
        int[] lengths = c.metaBool("masked") ? c.ints("lengths") : null;
        Recurrent.Output out = layer.forward(x, lengths, init);
        double vt = Expect.values(dtype);
        double gt = Expect.gradients(dtype);
        Expect.close(c.name() + " output", out.output().value(), c.shape("output"), c.doubles("output"), vt);
        Expect.close(c.name() + " h_n", out.hN().value(), c.shape("h_n"), c.doubles("h_n"), vt);
        Var loss = F.sum(F.mul(out.output(), Var.constant(c.tensor("grad_output", backend, dtype))));
        loss = F.add(loss, F.sum(F.mul(out.hN(), Var.constant(c.tensor("grad_h_n", backend, dtype)))));
        if (lstm) {
            Var cn = out.finalState().get(1);
            Expect.close(c.name() + " c_n", cn.value(), c.shape("c_n"), c.doubles("c_n"), vt);
            loss = F.add(loss, F.sum(F.mul(cn, Var.constant(c.tensor("grad_c_n", backend, dtype)))));
        }
        loss.backward();
        Expect.close(c.name() + " grad.x", x.grad(), c.shape("grad.x"), c.doubles("grad.x"), gt);
        if (init != null) {
            Expect.close(c.name() + " grad.h0", init.get(0).grad(), c.shape("grad.h0"), c.doubles("grad.h0"), gt);
            if (lstm) {
                Expect.close(c.name() + " grad.c0", init.get(1).grad(), c.shape("grad.c0"), c.doubles("grad.c0"), gt);
            }
        }
        for (Map.Entry<String, Var> e : layer.parameters().entrySet()) {
            String g = "grad." + e.getKey();
            Expect.close(c.name() + " " + g, e.getValue().grad(), c.shape(g), c.doubles(g), gt);
        }
    }

    private static Reduction reduction(GoldenCase c) {
        return switch (c.meta("reduction")) {
            case "mean" -> Reduction.MEAN;
            case "sum" -> Reduction.SUM;
            case "none" -> Reduction.NONE;
            default -> throw new AssertionError("golden case " + c.name() + ": unknown reduction '" + c.meta("reduction") + "'");
        };
    }

    /** Runs a loss case: forward value and gradient w.r.t. the input for the upstream gradient {@code grad_loss}. */
    public static void loss(GoldenCase c, ComputeBackend backend, DType dtype) {
        Reduction red = reduction(c);
        Var input = Var.leaf(c.tensor("input", backend, dtype), true);
        String ignore = c.meta("ignore_index", "none");
        int ignoreIndex = "none".equals(ignore) ? -100 : Integer.parseInt(ignore);
        Tensor weight = c.has("weight") ? c.tensor("weight", backend, dtype) : null;
        Var loss = switch (c.meta("loss")) {
            case "cross_entropy" -> Losses.crossEntropy(input, c.ints("target"), CrossEntropyOptions.defaults().withWeight(weight)
                    .withIgnoreIndex(ignoreIndex).withLabelSmoothing(Double.parseDouble(c.meta("label_smoothing", "0")))
                    .withReduction(red));
            case "nll" -> Losses.nll(F.logSoftmax(input), c.ints("target"), weight, ignoreIndex, red);
            case "mse" -> Losses.mse(input, Var.constant(c.tensor("target", backend, dtype)), red);
            case "bce_with_logits" -> Losses.binaryCrossEntropyWithLogits(input, Var.constant(c.tensor("target", backend, dtype)),
                    null, c.has("pos_weight") ? c.tensor("pos_weight", backend, dtype) : null, red);
            case "huber" -> Losses.huber(input, Var.constant(c.tensor("target", backend, dtype)), Double.parseDouble(c.meta("delta")),
                    red);
            default -> throw new AssertionError("golden case " + c.name() + ": unknown loss '" + c.meta("loss") + "'");
        };
        Expect.close(c.name() + " loss", loss.value(), c.shape("loss"), c.doubles("loss"), Expect.values(dtype));
        loss.backward(c.tensor("grad_loss", backend, dtype));
        Expect.close(c.name() + " grad.input", input.grad(), c.shape("grad.input"), c.doubles("grad.input"), Expect.gradients(dtype));
    }

    private static final Set<String> NON_HYPER = Set.of("kind", "optimizer", "steps", "doc");

    /** Runs an optimizer case: {@code paramK+1 = step(paramK, gradK)} with state carried across steps. */
    public static void optimizer(GoldenCase c, ComputeBackend backend, DType dtype) {
        Var p = Var.parameter(c.tensor("param0", backend, dtype));
        List<Var> params = List.of(p);
        Map<String, String> m = c.metadata();
        Set<String> used = new HashSet<>(NON_HYPER);
        String name = c.meta("optimizer");
        Optimizer opt = switch (name) {
            case "SGD" -> {
                SGD.Builder b = SGD.builder(params).lr(num(m, "lr", used));
                if (m.containsKey("momentum")) b.momentum(num(m, "momentum", used));
                if (m.containsKey("dampening")) b.dampening(num(m, "dampening", used));
                if (m.containsKey("nesterov")) b.nesterov(bool(m, "nesterov", used));
                if (m.containsKey("weight_decay")) b.weightDecay(num(m, "weight_decay", used));
                yield b.build();
            }
            case "Adam", "AdamW" -> {
                AdamBase.Settings<?, ?> b = "Adam".equals(name) ? Adam.builder(params) : AdamW.builder(params);
                b.lr(num(m, "lr", used));
                if (m.containsKey("betas")) {
                    double[] betas = pair(m, "betas", used);
                    b.betas(betas[0], betas[1]);
                }
                if (m.containsKey("eps")) b.eps(num(m, "eps", used));
                if (m.containsKey("weight_decay")) b.weightDecay(num(m, "weight_decay", used));
                if (m.containsKey("amsgrad")) b.amsgrad(bool(m, "amsgrad", used));
                yield b.build();
            }
            case "RMSprop" -> {
                RMSprop.Builder b = RMSprop.builder(params).lr(num(m, "lr", used));
                if (m.containsKey("alpha")) b.alpha(num(m, "alpha", used));
                if (m.containsKey("eps")) b.eps(num(m, "eps", used));
                if (m.containsKey("weight_decay")) b.weightDecay(num(m, "weight_decay", used));
                if (m.containsKey("momentum")) b.momentum(num(m, "momentum", used));
                if (m.containsKey("centered")) b.centered(bool(m, "centered", used));
                yield b.build();
            }
            case "Adagrad" -> {
                Adagrad.Builder b = Adagrad.builder(params).lr(num(m, "lr", used));
                if (m.containsKey("lr_decay")) b.lrDecay(num(m, "lr_decay", used));
                if (m.containsKey("weight_decay")) b.weightDecay(num(m, "weight_decay", used));
                if (m.containsKey("initial_accumulator_value")) b.initialAccumulatorValue(num(m, "initial_accumulator_value", used));
                if (m.containsKey("eps")) b.eps(num(m, "eps", used));
                yield b.build();
            }
            default -> throw new AssertionError("golden case " + c.name() + ": unknown optimizer '" + name + "'");
        };
        for (String k : m.keySet()) {
            if (!used.contains(k)) {
                throw new AssertionError("golden case " + c.name() + ": optimizer setting '" + k + "' = " + m.get(k)
                        + " is not understood by this runner");
            }
        }
        int steps = c.metaInt("steps");
        for (int k = 0; k < steps; k++) {
            p.setGrad(c.tensor("grad" + k, backend, dtype));
            opt.step();
            Expect.close(c.name() + " param" + (k + 1), p.value(), c.shape("param" + (k + 1)), c.doubles("param" + (k + 1)),
                    Expect.values(dtype));
        }
    }

    private static double num(Map<String, String> m, String k, Set<String> used) {
        used.add(k);
        return Double.parseDouble(m.get(k));
    }

    private static boolean bool(Map<String, String> m, String k, Set<String> used) {
        used.add(k);
        return Boolean.parseBoolean(m.get(k));
    }

    private static double[] pair(Map<String, String> m, String k, Set<String> used) {
        used.add(k);
        String[] parts = m.get(k).replaceAll("[\\[\\]\\s]", "").split(",");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1])};
    }

    /** Runs a gradient-norm clipping case on two parameters. */
    public static void clip(GoldenCase c, ComputeBackend backend, DType dtype) {
        List<Var> params = new ArrayList<>();
        for (int i = 0; c.has("grad" + i); i++) {
            Tensor g = c.tensor("grad" + i, backend, dtype);
            Var p = Var.parameter(backend.zeros(dtype, g.shape()));
            p.setGrad(g);
            params.add(p);
        }
        double normType = Double.parseDouble(c.meta("norm_type").replace("inf", "Infinity"));
        double total = GradClip.clipGradNorm((Collection<Var>) params, Double.parseDouble(c.meta("max_norm")), normType);
        Expect.close(c.name() + " total_norm", new double[] {total}, c.doubles("total_norm"), Expect.values(dtype));
        for (int i = 0; i < params.size(); i++) {
            Expect.close(c.name() + " clipped" + i, params.get(i).grad(), c.shape("clipped" + i), c.doubles("clipped" + i),
                    Expect.gradients(dtype));
        }
    }
}
