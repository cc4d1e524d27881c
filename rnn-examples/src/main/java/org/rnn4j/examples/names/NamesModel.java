package org.rnn4j.examples.names;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.PaddedSequences;
import org.rnn4j.examples.cli.Footprint;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.ClassicCharRnn;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * Classifies a batch of names: either the classic i2h/i2o RNN over one-hot characters (PyTorch's
 * tutorial model, child {@code classic}) or an embedding, a {@link Recurrent} stack (RNN, LSTM or GRU;
 * optionally bidirectional), dropout and a linear layer over the last hidden state (children
 * {@code embedding}, {@code rnn}, {@code dropout}, {@code fc}). Returns log-probabilities. Its
 * architecture is that of its children, so it saves with {@link Models#save} and rebuilds with
 * {@link Models#load} once {@link #register registered}.
 */
public final class NamesModel extends Module {
    /** Registers this model type with {@link Models}, so that its files load ({@code Main} does it for every command). */
    public static void register() {
        Models.register("NamesModel", (s, b, d) -> s.children().containsKey("classic") ? new NamesModel(s.child("classic", ClassicCharRnn.class))
                : new NamesModel(s.child("embedding", Embedding.class), s.child("rnn", Recurrent.class), s.child("dropout", Dropout.class),
                        s.child("fc", Linear.class)));
    }

    private final ClassicCharRnn classic;
    private final Embedding embedding;
    private final Recurrent rnn;
    private final Dropout dropout;
    private final Linear fc;

    private NamesModel(ClassicCharRnn classic) {
        this.classic = registerModule("classic", classic);
        embedding = null;
        rnn = null;
        dropout = null;
        fc = null;
    }

    private NamesModel(Embedding embedding, Recurrent rnn, Dropout dropout, Linear fc) {
        if (rnn.inputSize() != embedding.embeddingDim() || fc.inFeatures() != rnn.hiddenSize() * rnn.directions() || fc.outFeatures() < 2) {
            throw new IllegalArgumentException("the layers do not chain: embedding " + embedding.numEmbeddings() + " x " + embedding.embeddingDim()
                    + ", rnn " + rnn.inputSize() + " -> " + rnn.directions() + " x " + rnn.hiddenSize() + ", fc " + fc.inFeatures() + " -> "
                    + fc.outFeatures() + " classes");
        }
        classic = null;
        this.embedding = registerModule("embedding", embedding);
        this.rnn = registerModule("rnn", rnn);
        this.dropout = registerModule("dropout", dropout);
        this.fc = registerModule("fc", fc);
    }

    /** A new model initialised from {@code seed}; {@code cell} is classic, rnn, lstm or gru ({@code embedding}, {@code layers}, {@code bidirectional} unused by classic). */
    public static NamesModel create(String cell, int vocabulary, int classes, int embedding, int hidden, int layers, boolean bidirectional,
            double dropout, Backend backend, long seed) {
        DType dtype = DType.FLOAT32;
        if (cell.equals("classic")) {
            return new NamesModel(new ClassicCharRnn(vocabulary, hidden, classes, backend, dtype, seed));
        }
        SplittableRandom rng = new SplittableRandom(seed);
        Embedding e = new Embedding(vocabulary, embedding, -1, backend, dtype, rng);
        Recurrent r = Recurrent.builder(Cells.byName(cell), embedding, hidden).numLayers(layers).bidirectional(bidirectional)
                .dropout(layers > 1 ? dropout : 0).backend(backend).dtype(dtype).seed(rng.nextLong()).build();
        return new NamesModel(e, r, new Dropout(dropout, seed ^ 0x5DEECE66DL), new Linear(hidden * r.directions(), classes, true, backend, dtype, rng));
    }

    /** The estimated memory of training a model of these settings on batches of {@code batch} names of up to {@code steps} characters. */
    public static Footprint footprint(String cell, int vocabulary, int classes, int embedding, int hidden, int layers, boolean bidirectional,
            double dropout, int batch, int steps, String fix) {
        Footprint f = new Footprint("the names model (" + describe(cell, vocabulary, embedding, hidden, layers, bidirectional, dropout) + ")", fix);
        if (cell.equals("classic")) {
            long in = (long) vocabulary + hidden;
            return f.parameter("classic.i2h.weight", hidden, in).parameter("classic.i2h.bias", hidden).parameter("classic.i2o.weight", classes, in)
                    .parameter("classic.i2o.bias", classes).activations(3, "step", (long) batch * steps, in + classes);
        }
        return f.parameter("embedding.weight", vocabulary, embedding)
                .recurrent("rnn.", cell, embedding, hidden, layers, bidirectional, batch, steps)
                .parameter("fc.weight", classes, (long) hidden * (bidirectional ? 2 : 1)).parameter("fc.bias", classes)
                .activation("embedded input", batch, steps, embedding);
    }

    static String describe(String cell, int vocabulary, int embedding, int hidden, int layers, boolean bidirectional, double dropout) {
        if (cell.equals("classic")) {
            return String.format(Locale.ROOT, "classic i2h/i2o RNN, hidden %d, one-hot input of %d characters", hidden, vocabulary);
        }
        return String.format(Locale.ROOT, "%s%s x%d, hidden %d, embedding %d, dropout %.2f", bidirectional ? "bidirectional " : "",
                cell.toUpperCase(Locale.ROOT), layers, hidden, embedding, dropout);
    }

    /** What this model is, for logs and chart titles. */
    public String describe() {
        if (classic != null) {
            return describe("classic", classic.inputSize(), 0, classic.hiddenSize(), 1, false, 0);
        }
        String cell = rnn.cell().name().startsWith("rnn") ? "rnn" : rnn.cell().name();
        return describe(cell, embedding.numEmbeddings(), embedding.embeddingDim(), rnn.hiddenSize(), rnn.numLayers(), rnn.bidirectional(),
                dropout.p());
    }

    /** What runs, for the log. */
    public String explain() {
        return classic != null ? describe() : rnn.explain();
    }

    /** The characters the model reads (its input ids are {@code 0..V-1}). */
    public int vocabularySize() {
        return classic != null ? classic.inputSize() : embedding.numEmbeddings();
    }

    public int classes() {
        return classic != null ? classic.outputSize() : fc.outFeatures();
    }

    /** Everything is in the children's configs. */
    @Override
    public Map<String, Object> config() {
        return Map.of();
    }

    /** Log-probabilities {@code [B, classes]} for a batch of padded names (each at least one character long). */
    public Var forward(PaddedSequences names) {
        int batch = names.batchSize();
        int steps = names.steps();
        int[] lengths = names.lengths();
        if (classic != null) {
            return forwardClassic(names.values(), lengths, steps);
        }
        Recurrent.Output out = rnn.forward(embedding.forward(names.flat(), batch, steps), names.full() ? null : lengths, null);
        // the last layer's final state: both directions of a bidirectional layer, as torch.cat([h_n[-2], h_n[-1]], 1)
        Var[] h = F.unbind(out.hN(), 0);
        int last = (rnn.numLayers() - 1) * rnn.directions();
        Var hidden = rnn.directions() == 1 ? h[last] : F.concat(1, h[last], h[last + 1]);
        return F.logSoftmax(fc.forward(dropout.forward(hidden)));
    }

    /** The classic model step by step; padded steps keep the hidden state, and each name's output is taken at its last step. */
    private Var forwardClassic(int[][] names, int[] lengths, int steps) {
        int batch = names.length;
        int v = classic.inputSize();
        int h = classic.hiddenSize();
        int c = classic.outputSize();
        Backend backend = classic.parameters().values().iterator().next().backend();
        DType dtype = DType.FLOAT32;
        Var hidden = classic.initHidden(batch);
        Var out = null;
        for (int t = 0; t < steps; t++) {
            double[] onehot = new double[batch * v];
            double[] keep = new double[batch * h];
            double[] last = new double[batch * c];
            boolean anyPadded = false;
            for (int b = 0; b < batch; b++) {
                if (t < lengths[b]) {
                    onehot[b * v + names[b][t]] = 1;
                    Arrays.fill(keep, b * h, (b + 1) * h, 1);
                } else {
                    anyPadded = true;
                }
                if (t == lengths[b] - 1) {
                    Arrays.fill(last, b * c, (b + 1) * c, 1);
                }
            }
            ClassicCharRnn.Step st = classic.step(Var.constant(backend.fromDoubles(onehot, dtype, batch, v)), hidden);
            hidden = anyPadded
                    ? F.add(hidden, F.mul(Var.constant(backend.fromDoubles(keep, dtype, batch, h)), F.sub(st.hidden(), hidden)))
                    : st.hidden();
            Var sel = F.mul(st.output(), Var.constant(backend.fromDoubles(last, dtype, batch, c)));
            out = out == null ? sel : F.add(out, sel);
        }
        return out;
    }
}
