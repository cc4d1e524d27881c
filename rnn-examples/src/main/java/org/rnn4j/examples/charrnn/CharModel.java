package org.rnn4j.examples.charrnn;

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
import org.rnn4j.nn.Embedding;
import org.rnn4j.examples.nn.Layers;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.nn.Stateful;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * The character-level language model: embedding, a recurrent stack (LSTM, GRU or RNN) and a linear
 * layer to logits over the vocabulary. Parameters are named as PyTorch's {@code state_dict} of a module
 * with fields {@code embedding}, {@code rnn}, {@code head}. Streaming ({@link #streamLogits}) carries the
 * recurrent state between calls, which is how training does truncated BPTT and how sampling goes
 * character by character; the carried state is saved with the model.
 */
public final class CharModel extends Module implements Stateful {
    /** The settings a checkpoint records to rebuild the model. */
    public record Config(String cell, int vocabulary, int embedding, int hidden, int layers, double dropout) {
        public Map<String, String> toMetadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("cell", cell);
            m.put("vocabulary", Integer.toString(vocabulary));
            m.put("embedding", Integer.toString(embedding));
            m.put("hidden", Integer.toString(hidden));
            m.put("layers", Integer.toString(layers));
            m.put("dropout", Double.toString(dropout));
            return m;
        }

        /**
         * The settings a checkpoint's metadata records, each checked (cell one of lstm, gru, rnn; sizes at
         * least 1; dropout in [0, 1)); a bad one is a {@link UserError} naming it.
         */
        public static Config fromMetadata(Map<String, String> m, Path file) {
            String kind = "charrnn";
            return new Config(CheckpointFiles.metaChoice(m, "cell", file, kind, CharRnnCommand.CELLS),
                    CheckpointFiles.metaInt(m, "vocabulary", file, kind, 1), CheckpointFiles.metaInt(m, "embedding", file, kind, 1),
                    CheckpointFiles.metaInt(m, "hidden", file, kind, 1), CheckpointFiles.metaInt(m, "layers", file, kind, 1),
                    CheckpointFiles.metaDouble(m, "dropout", file, kind, 0, 1));
        }

        /**
         * The memory this model needs to train on {@code batch} streams of {@code seq} characters (or to
         * sample, with 1 and 1), estimated before it is built.
         */
        public Footprint footprint(int batch, int seq, String fix) {
            return new Footprint("the charrnn model (" + describe() + ")", fix)
                    .parameter("embedding.weight", vocabulary, embedding)
                    .recurrent("rnn.", cell, embedding, hidden, layers, false, batch, seq)
                    .parameter("head.weight", vocabulary, hidden)
                    .parameter("head.bias", vocabulary)
                    .activation("embedded input", batch, seq, embedding)
                    .activations(3, "logits", (long) batch * seq, vocabulary);
        }

        public String describe() {
            return String.format(Locale.ROOT, "%s x%d, hidden %d, embedding %d%s, vocabulary %d", cell.toUpperCase(Locale.ROOT), layers,
                    hidden, embedding, layers > 1 && dropout > 0 ? String.format(Locale.ROOT, ", dropout %.2f", dropout) : "",
                    vocabulary);
        }
    }

    private final Config config;
    private final Embedding embedding;
    private final Recurrent rnn;
    private final Linear head;

    public CharModel(Config config, Backend backend, long seed) {
        this.config = config;
        SplittableRandom rng = new SplittableRandom(seed);
        DType dtype = DType.FLOAT32;
        embedding = registerModule("embedding", new Embedding(config.vocabulary(), config.embedding(), -1, backend, dtype, rng));
        rnn = Recurrent.builder(Cells.byName(config.cell()), config.embedding(), config.hidden()).numLayers(config.layers())
                .dropout(config.layers() > 1 ? config.dropout() : 0).backend(backend).dtype(dtype).seed(rng.nextLong()).build();
        registerModule("rnn", rnn);
        head = registerModule("head", new Linear(config.hidden(), config.vocabulary(), true, backend, dtype, rng));
    }

    public Config settings() {
        return config;
    }

    public Recurrent rnn() {
        return rnn;
    }

    /**
     * Logits {@code [B*T, V]} for a chunk of {@code ids} ({@code [B, T]} row-major), continuing from the
     * carried state and carrying the new state to the next call (detached: truncated BPTT).
     */
    public Var streamLogits(int[] ids, int batch, int steps) {
        Var out = rnn.forwardStateful(embedding.forward(ids, batch, steps));
        return head.forward(F.reshape(out, batch * steps, config.hidden()));
    }

    /** Logits and final state from an explicit state (null for zeros); leaves the carried state alone. */
    public Recurrent.Output logits(int[] ids, int batch, int steps, List<Var> state) {
        Recurrent.Output out = rnn.forward(embedding.forward(ids, batch, steps), null, state);
        Var logits = head.forward(F.reshape(out.output(), batch * steps, config.hidden()));
        return new Recurrent.Output(logits, out.finalState());
    }

    /** Forgets the carried state. */
    public void resetState() {
        rnn.resetState();
    }

    @Override
    public List<String> stateNames() {
        return rnn.stateNames();
    }

    @Override
    public List<Tensor> state() {
        return rnn.state();
    }

    @Override
    public void setState(List<Tensor> state) {
        rnn.setState(state);
    }
}
