package org.rnn4j.spark.examples;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * A sequence classifier over token ids (characters of a name): an embedding, a (bidirectional) GRU, dropout
 * on the last hidden state and a linear layer to class logits. Rebuilds from a model file once
 * {@link #register()} has run (the Spark transformer and the example call it).
 */
public final class CharClassifier extends Module implements org.rnn4j.spark.SequenceClassifier {
    /** The type name model files store. */
    public static final String TYPE = "CharClassifier";

    static {
        Models.register(TYPE, (s, b, d) -> new CharClassifier(s.getInt("vocab", 1, 1 << 20), s.getInt("embedding", 1, 1 << 16),
                s.getInt("hidden", 1, 1 << 16), s.getInt("classes", 1, 1 << 20), s.getBoolean("bidirectional"), s.getDouble("dropout", 0, 1), b, d,
                s.getLong("seed", Long.MIN_VALUE, Long.MAX_VALUE)));
    }

    private final int vocab;
    private final int embeddingDim;
    private final int hidden;
    private final int classes;
    private final boolean bidirectional;
    private final double dropoutP;
    private final long seed;
    private final Embedding embedding;
    private final Recurrent rnn;
    private final Dropout dropout;
    private final Linear fc;

    /**
     * @param vocab         token ids are in {@code [0, vocab)}; id 0 pads
     * @param embeddingDim  embedding width
     * @param hidden        GRU hidden size per direction
     * @param classes       number of classes
     * @param bidirectional whether the GRU reads both ways
     * @param dropout       drop probability on the last hidden state, in [0, 1)
     * @param dtype         FLOAT32 or FLOAT64
     * @param seed          seed of the initial weights and of the dropout masks
     */
    public CharClassifier(int vocab, int embeddingDim, int hidden, int classes, boolean bidirectional, double dropout, Backend backend,
            DType dtype, long seed) {
        this.vocab = vocab;
        this.embeddingDim = embeddingDim;
        this.hidden = hidden;
        this.classes = classes;
        this.bidirectional = bidirectional;
        this.dropoutP = dropout;
        this.seed = seed;
        var rng = new java.util.SplittableRandom(seed);
        this.embedding = registerModule("embedding", new Embedding(vocab, embeddingDim, 0, backend, dtype, rng));
        this.rnn = registerModule("rnn", Recurrent.builder(Cells.gru(), embeddingDim, hidden).bidirectional(bidirectional).backend(backend)
                .dtype(dtype).seed(rng.nextLong()).build());
        this.dropout = registerModule("dropout", new Dropout(dropout, rng.nextLong()));
        this.fc = registerModule("fc", new Linear(hidden * rnn.directions(), classes, true, backend, dtype, rng));
    }

    /** Makes model files of this type loadable ({@code Models.load}) in this JVM; idempotent. */
    public static void register() {
        // the static initialiser registers the factory
    }

    /** Number of classes. */
    public int classes() {
        return classes;
    }

    /**
     * Class logits {@code [B, classes]} for {@code B} sequences of token ids (each of length >= 1, ids in
     * {@code [1, vocab)}), padded with id 0 and masked by length inside the GRU.
     */
    @Override
    public Var forward(List<int[]> ids) {
        int batch = ids.size();
        int steps = 0;
        int[] lengths = new int[batch];
        boolean full = true;
        for (int b = 0; b < batch; b++) {
            lengths[b] = ids.get(b).length;
            if (lengths[b] < 1) {
                throw new IllegalArgumentException("CharClassifier.forward: sequence " + b + " is empty; expected at least one token");
            }
            steps = Math.max(steps, lengths[b]);
        }
        int[] flat = new int[batch * steps];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids.get(b), 0, flat, b * steps, lengths[b]);
            full &= lengths[b] == steps;
        }
        Recurrent.Output out = rnn.forward(embedding.forward(flat, batch, steps), full ? null : lengths, null);
        Var[] h = F.unbind(out.finalState().get(0), 0);
        Var last = rnn.directions() == 1 ? h[0] : F.concat(1, h[0], h[1]);
        return fc.forward(dropout.forward(last));
    }

    @Override
    public String typeName() {
        return TYPE;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("vocab", vocab);
        c.put("embedding", embeddingDim);
        c.put("hidden", hidden);
        c.put("classes", classes);
        c.put("bidirectional", bidirectional);
        c.put("dropout", dropoutP);
        c.put("seed", seed);
        return c;
    }
}
