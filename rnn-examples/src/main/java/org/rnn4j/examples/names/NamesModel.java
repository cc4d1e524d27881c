package org.rnn4j.examples.names;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.examples.cli.CheckpointFiles;
import org.rnn4j.examples.cli.Footprint;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.nn.Embedding;
import org.rnn4j.examples.nn.Layers;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.ClassicCharRnn;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.DType;

/**
 * Classifies a batch of names: either the classic i2h/i2o RNN over one-hot characters (PyTorch's
 * tutorial model) or an embedding, a {@link Recurrent} stack (RNN, LSTM or GRU; optionally
 * bidirectional) and a linear layer over the last hidden state. Returns log-probabilities.
 */
public final class NamesModel extends Module {
    /** The settings a checkpoint must record to rebuild the model. */
    public record Config(String cell, int vocabulary, int classes, int embedding, int hidden, int layers, boolean bidirectional,
            double dropout) {
        public boolean classic() {
            return cell.equals("classic");
        }

        public Map<String, String> toMetadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("cell", cell);
            m.put("vocabulary", Integer.toString(vocabulary));
            m.put("classes", Integer.toString(classes));
            m.put("embedding", Integer.toString(embedding));
            m.put("hidden", Integer.toString(hidden));
            m.put("layers", Integer.toString(layers));
            m.put("bidirectional", Boolean.toString(bidirectional));
            m.put("dropout", Double.toString(dropout));
            return m;
        }

        /**
         * The settings a checkpoint's metadata records, each checked (cell one of classic, rnn, lstm,
         * gru; sizes at least 1, classes at least 2, one layer for classic; bidirectional true or false;
         * dropout in [0, 1)); a bad one is a {@link UserError} naming it.
         */
        public static Config fromMetadata(Map<String, String> m, Path file) {
            String kind = "names";
            Config c = new Config(CheckpointFiles.metaChoice(m, "cell", file, kind, NamesCommand.CELLS),
                    CheckpointFiles.metaInt(m, "vocabulary", file, kind, 1), CheckpointFiles.metaInt(m, "classes", file, kind, 2),
                    CheckpointFiles.metaInt(m, "embedding", file, kind, 1), CheckpointFiles.metaInt(m, "hidden", file, kind, 1),
                    CheckpointFiles.metaInt(m, "layers", file, kind, 1), CheckpointFiles.metaBoolean(m, "bidirectional", file, kind),
                    CheckpointFiles.metaDouble(m, "dropout", file, kind, 0, 1));
            if (c.classic() && c.layers() != 1) {
                throw new UserError("checkpoint " + file + " has metadata cell='classic' with layers=" + c.layers()
                        + ", but the classic model has one layer; it is damaged; pass another --checkpoint");
            }
            return c;
        }

        /** The memory this model needs to train on batches of {@code batch} names of up to {@code steps} characters, estimated before it is built. */
        public Footprint footprint(int batch, int steps, String fix) {
            Footprint f = new Footprint("the names model (" + describe() + ")", fix);
            if (classic()) {
                long in = (long) vocabulary + hidden;
                return f.parameter("i2h.weight", hidden, in).parameter("i2h.bias", hidden).parameter("i2o.weight", classes, in)
                        .parameter("i2o.bias", classes).activations(3, "step", (long) batch * steps, in + classes);
            }
            int dirs = bidirectional ? 2 : 1;
            return f.parameter("embedding.weight", vocabulary, embedding)
                    .recurrent("rnn.", cell, embedding, hidden, layers, bidirectional, batch, steps)
                    .parameter("fc.weight", classes, (long) hidden * dirs).parameter("fc.bias", classes)
                    .activation("embedded input", batch, steps, embedding);
        }

        public String describe() {
            if (classic()) {
                return String.format(Locale.ROOT, "classic i2h/i2o RNN, hidden %d, one-hot input of %d characters", hidden, vocabulary);
            }
            return String.format(Locale.ROOT, "%s%s x%d, hidden %d, embedding %d, dropout %.2f", bidirectional ? "bidirectional " : "",
                    cell.toUpperCase(Locale.ROOT), layers, hidden, embedding, dropout);
        }
    }

    private final Config config;
    private final Backend backend;
    private final DType dtype = DType.FLOAT32;
    private final ClassicCharRnn classic;
    private final Embedding embedding;
    private final Recurrent rnn;
    private final Linear fc;
    private final SplittableRandom dropoutRng;

    public NamesModel(Config config, Backend backend, long seed) {
        this.config = config;
        this.backend = backend;
        this.dropoutRng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        if (config.classic()) {
            classic = new ClassicCharRnn(config.vocabulary(), config.hidden(), config.classes(), backend, dtype, seed);
            embedding = null;
            rnn = null;
            fc = null;
            // the tutorial's parameter names (i2h.*, i2o.*) stay at the top level
            registerModule("i2h", classic.children().get("i2h"));
            registerModule("i2o", classic.children().get("i2o"));
        } else {
            SplittableRandom rng = new SplittableRandom(seed);
            classic = null;
            embedding = registerModule("embedding", new Embedding(config.vocabulary(), config.embedding(), -1, backend, dtype, rng));
            rnn = Recurrent.builder(Cells.byName(config.cell()), config.embedding(), config.hidden()).numLayers(config.layers())
                    .bidirectional(config.bidirectional()).dropout(config.layers() > 1 ? config.dropout() : 0).backend(backend)
                    .dtype(dtype).seed(rng.nextLong()).build();
            registerModule("rnn", rnn);
            fc = registerModule("fc", new Linear(config.hidden() * rnn.directions(), config.classes(), true, backend, dtype, rng));
        }
    }

    public Config settings() {
        return config;
    }

    /** What runs, for the log. */
    public String explain() {
        return classic != null ? config.describe() + " on backend '" + backend.name() + "'" : rnn.explain();
    }

    /**
     * Log-probabilities {@code [B, classes]} for a batch of names given as character indices (each at
     * least one character long).
     */
    public Var forward(List<int[]> names) {
        int batch = names.size();
        int steps = 0;
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            lengths[b] = names.get(b).length;
            steps = Math.max(steps, lengths[b]);
        }
        return classic != null ? forwardClassic(names, lengths, steps) : forwardRecurrent(names, lengths, steps);
    }

    private Var forwardRecurrent(List<int[]> names, int[] lengths, int steps) {
        int batch = names.size();
        int[] ids = new int[batch * steps];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(names.get(b), 0, ids, b * steps, lengths[b]);
        }
        Var x = embedding.forward(ids, batch, steps);
        boolean allFull = true;
        for (int l : lengths) {
            allFull &= l == steps;
        }
        Recurrent.Output out = rnn.forward(x, allFull ? null : lengths, null);
        Var h = Layers.dropout(Layers.lastHidden(rnn, out), config.dropout(), isTraining(), dropoutRng);
        return F.logSoftmax(fc.forward(h));
    }

    /** The classic model step by step; padded steps keep the hidden state, and each name's output is taken at its last step. */
    private Var forwardClassic(List<int[]> names, int[] lengths, int steps) {
        int batch = names.size();
        int v = config.vocabulary();
        int h = config.hidden();
        int c = config.classes();
        Var hidden = classic.initHidden(batch);
        Var out = null;
        for (int t = 0; t < steps; t++) {
            double[] onehot = new double[batch * v];
            double[] keep = new double[batch * h];
            double[] last = new double[batch * c];
            boolean anyPadded = false;
            for (int b = 0; b < batch; b++) {
                if (t < lengths[b]) {
                    onehot[b * v + names.get(b)[t]] = 1;
                    java.util.Arrays.fill(keep, b * h, (b + 1) * h, 1);
                } else {
                    anyPadded = true;
                }
                if (t == lengths[b] - 1) {
                    java.util.Arrays.fill(last, b * c, (b + 1) * c, 1);
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
