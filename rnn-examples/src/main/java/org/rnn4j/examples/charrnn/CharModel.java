package org.rnn4j.examples.charrnn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.decode.Sampler;
import org.rnn4j.examples.cli.Footprint;
import org.rnn4j.loss.Losses;
import org.rnn4j.metrics.Perplexity;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * The character-level language model: embedding, a recurrent stack (LSTM, GRU or RNN) and a linear
 * layer to logits over the vocabulary, with PyTorch's parameter names ({@code embedding.weight},
 * {@code rnn.weight_ih_l0}, {@code head.weight}, ...). Its architecture is that of its three children, so
 * it saves with {@link Models#save} and rebuilds with {@link Models#load} once {@link #register registered}.
 * Streaming ({@link #streamLogits}) carries the recurrent state between calls: training reads the text
 * in chunks that way (truncated BPTT) and sampling goes character by character.
 */
public final class CharModel extends Module {
    /** Registers this model type with {@link Models}, so that its files load ({@code Main} does it for every command). */
    public static void register() {
        Models.register("CharModel", (s, b, d) -> new CharModel(s.child("embedding", Embedding.class), s.child("rnn", Recurrent.class),
                s.child("head", Linear.class)));
    }

    private final Embedding embedding;
    private final Recurrent rnn;
    private final Linear head;

    private CharModel(Embedding embedding, Recurrent rnn, Linear head) {
        if (rnn.inputSize() != embedding.embeddingDim() || rnn.bidirectional() || head.inFeatures() != rnn.hiddenSize()
                || head.outFeatures() != embedding.numEmbeddings()) {
            throw new IllegalArgumentException("the layers do not chain: embedding " + embedding.numEmbeddings() + " x "
                    + embedding.embeddingDim() + ", rnn " + rnn.inputSize() + " -> " + rnn.hiddenSize() + (rnn.bidirectional() ? " (bidirectional)" : "")
                    + ", head " + head.inFeatures() + " -> " + head.outFeatures());
        }
        this.embedding = registerModule("embedding", embedding);
        this.rnn = registerModule("rnn", rnn);
        this.head = registerModule("head", head);
    }

    /** A new model, initialised from {@code seed}; {@code cell} is lstm, gru or rnn (dropout applies between layers). */
    public static CharModel create(String cell, int vocabulary, int embedding, int hidden, int layers, double dropout, Backend backend,
            long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        DType dtype = DType.FLOAT32;
        Embedding e = new Embedding(vocabulary, embedding, -1, backend, dtype, rng);
        Recurrent r = Recurrent.builder(Cells.byName(cell), embedding, hidden).numLayers(layers).dropout(layers > 1 ? dropout : 0)
                .backend(backend).dtype(dtype).seed(rng.nextLong()).build();
        return new CharModel(e, r, new Linear(hidden, vocabulary, true, backend, dtype, rng));
    }

    /** The estimated memory of training a model of these sizes on {@code batch} streams of {@code seq} characters, before it is built. */
    public static Footprint footprint(String cell, int vocabulary, int embedding, int hidden, int layers, int batch, int seq, String fix) {
        return new Footprint("the charrnn model (" + describe(cell, layers, hidden, embedding, 0, vocabulary) + ")", fix)
                .parameter("embedding.weight", vocabulary, embedding)
                .recurrent("rnn.", cell, embedding, hidden, layers, false, batch, seq)
                .parameter("head.weight", vocabulary, hidden)
                .parameter("head.bias", vocabulary)
                .activation("embedded input", batch, seq, embedding)
                .activations(3, "logits", (long) batch * seq, vocabulary);
    }

    static String describe(String cell, int layers, int hidden, int embedding, double dropout, int vocabulary) {
        return String.format(Locale.ROOT, "%s x%d, hidden %d, embedding %d%s, vocabulary %d", cell.toUpperCase(Locale.ROOT), layers,
                hidden, embedding, layers > 1 && dropout > 0 ? String.format(Locale.ROOT, ", dropout %.2f", dropout) : "", vocabulary);
    }

    public String describe() {
        return describe(cell(), rnn.numLayers(), rnn.hiddenSize(), embedding.embeddingDim(), rnn.config().get("dropout") instanceof Double p ? p : 0,
                embedding.numEmbeddings());
    }

    /** The cell as the {@code --cell} option names it: lstm, gru or rnn. */
    public String cell() {
        String name = rnn.cell().name();
        return name.startsWith("rnn") ? "rnn" : name;
    }

    public int vocabularySize() {
        return embedding.numEmbeddings();
    }

    public int embeddingSize() {
        return embedding.embeddingDim();
    }

    public Recurrent rnn() {
        return rnn;
    }

    /** Everything is in the children's configs. */
    @Override
    public Map<String, Object> config() {
        return Map.of();
    }

    /**
     * Logits {@code [B*T, V]} for a chunk of {@code ids} ({@code [B, T]} row-major), continuing from the
     * carried state and carrying the new state to the next call (detached: truncated BPTT).
     */
    public Var streamLogits(int[] ids, int batch, int steps) {
        Var out = rnn.forwardStateful(embedding.forward(ids, batch, steps));
        return head.forward(F.reshape(out, batch * steps, rnn.hiddenSize()));
    }

    /** Logits and final state from an explicit state (null for zeros); leaves the carried state alone. */
    private Recurrent.Output logits(int[] ids, int batch, int steps, List<Var> state) {
        Recurrent.Output out = rnn.forward(embedding.forward(ids, batch, steps), null, state);
        return new Recurrent.Output(head.forward(F.reshape(out.output(), batch * steps, rnn.hiddenSize())), out.finalState());
    }

    /**
     * Mean cross-entropy in nats per character on {@code ids}, read as up to {@code batch} streams spread
     * evenly over the whole of {@code ids}, in chunks of {@code seq} with the state carried through; with
     * {@code maxChars > 0} only the first {@code maxChars / streams} characters of each stream are scored
     * (a cheaper estimate that still samples the whole text). Each stream first reads, unscored, up to
     * 128 characters that precede it ({@code context}, the text before {@code ids}, for the first
     * stream), so that no character is scored without context. Leaves the carried (training) state alone.
     */
    public double evaluate(int[] ids, int[] context, int maxChars, int batch, int seq) {
        int n = ids.length;
        int streams = Math.max(1, Math.min(batch, (n - 1) / Math.max(1, seq)));
        int length = (n - 1) / streams;
        int read = maxChars > 0 ? Math.min(length, Math.max(seq, maxChars / streams)) : length;
        int burn = Math.min(128, Math.min(context.length, streams > 1 ? length : Integer.MAX_VALUE));
        Perplexity nll = new Perplexity();
        boolean training = isTraining();
        eval();
        try (Grad.Scope off = Grad.disabled()) {
            List<Var> state = null;
            if (burn > 0) {
                int[] prefix = new int[streams * burn];
                for (int b = 0; b < streams; b++) {
                    System.arraycopy(b == 0 ? context : ids, b == 0 ? context.length - burn : b * length - burn, prefix, b * burn, burn);
                }
                state = logits(prefix, streams, burn, null).finalState();
            }
            for (int pos = 0; pos < read; pos += seq) {
                int t = Math.min(seq, read - pos);
                int[] in = new int[streams * t];
                int[] tg = new int[streams * t];
                for (int b = 0; b < streams; b++) {
                    System.arraycopy(ids, b * length + pos, in, b * t, t);
                    System.arraycopy(ids, b * length + pos + 1, tg, b * t, t);
                }
                Recurrent.Output out = logits(in, streams, t, state);
                nll.update(Losses.crossEntropy(out.output(), tg).value().item(), (long) streams * t);
                state = new ArrayList<>(out.finalState());
            }
        } finally {
            train(training);
        }
        return nll.meanNll();
    }

    /**
     * Streams {@code length} characters drawn by {@code sampler} after {@code prime} (non-empty, in the
     * vocabulary), handing each to {@code sink} as soon as it is drawn: the prime goes through the model
     * as one chunk, then each drawn character is fed back as a chunk of one step. Resets the carried
     * state before and after.
     */
    public void generate(Vocabulary vocab, String prime, int length, Sampler sampler, long seed, Consumer<String> sink) {
        int[] ids = vocab.encode(prime);
        SplittableRandom rng = new SplittableRandom(seed);
        int v = vocab.size();
        rnn.resetState();
        boolean training = isTraining();
        eval();
        try (Grad.Scope off = Grad.disabled()) {
            double[] logits = streamLogits(ids, 1, ids.length).value().toDoubleArray();
            double[] row = java.util.Arrays.copyOfRange(logits, logits.length - v, logits.length);
            for (int i = 0; i < length; i++) {
                int next = sampler.sample(row, rng);
                sink.accept(vocab.token(next));
                row = streamLogits(new int[] {next}, 1, 1).value().toDoubleArray();
            }
        } finally {
            rnn.resetState();
            train(training);
        }
    }
}
