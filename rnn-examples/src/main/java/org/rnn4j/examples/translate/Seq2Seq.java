package org.rnn4j.examples.translate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.PaddedSequences;
import org.rnn4j.models.Models;
import org.rnn4j.models.ModuleSpec;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.nn.attention.AdditiveAttention;
import org.rnn4j.nn.attention.AttentionResult;
import org.rnn4j.nn.attention.MultiheadAttention;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * An encoder-decoder with attention for translation (a module tree that {@link Models} saves and
 * rebuilds under the type {@value #TYPE}).
 *
 * <p><b>Encoder.</b> Source ids {@code [B, S]} (padded with the source padding id) are embedded
 * ({@code [B, S, E]}), dropped out and read by a bidirectional recurrent layer ({@code gru} or
 * {@code lstm}, hidden size H per direction) into the memory {@code [B, S, 2H]}; padded steps are
 * skipped via the sequence lengths. The decoder's initial state is {@code tanh(bridge([h_fwd; h_bwd]))}
 * of the final states ({@code [1, B, H]} each; for an LSTM the bridge also gives the initial cell).
 *
 * <p><b>Decoder</b> (Luong et al. 2015, "global attention" without input feeding): a unidirectional
 * recurrent layer of the same cell and size H reads the embedded target prefix
 * {@code [bos, y_1, ..., y_{n-1}]}; its output {@code h_t} queries the memory with additive (Bahdanau)
 * or multi-head attention, padded source positions masked out, giving the context {@code c_t}; the
 * attentional vector {@code a_t = tanh(combine([h_t; c_t]))} is dropped out and projected to the target
 * vocabulary. Because the attention comes after the recurrence, teacher forcing runs the decoder over
 * the whole target at once and attends from all its steps in one batched product; decoding steps the
 * same layers one token at a time.
 */
public final class Seq2Seq extends Module {
    /** The module type name in model files. */
    public static final String TYPE = "Seq2Seq";
    /** The cells the encoder and decoder can use. */
    public static final List<String> CELLS = List.of("gru", "lstm");
    /** The attention kinds. */
    public static final List<String> ATTENTIONS = List.of("additive", "multihead");

    /**
     * The hyperparameters.
     *
     * @param cell             {@code gru} or {@code lstm}
     * @param attention        {@code additive} or {@code multihead}
     * @param sourceVocabulary source token count (special tokens included)
     * @param targetVocabulary target token count
     * @param embedding        E, the embedding size of both sides
     * @param hidden           H, the hidden size of the decoder and of each encoder direction
     * @param heads            attention heads (multihead only; must divide H)
     * @param dropout          drop probability of the embeddings and the attentional vector
     * @param sourcePad        the source padding id
     * @param targetPad        the target padding id
     * @param seed             seed of the initialisation and of the dropout masks
     */
    public record Config(String cell, String attention, int sourceVocabulary, int targetVocabulary, int embedding, int hidden, int heads,
            double dropout, int sourcePad, int targetPad, long seed) {
        /** Validates everything, naming the first bad value. */
        public Config {
            if (!CELLS.contains(cell)) {
                throw new IllegalArgumentException("cell '" + cell + "' is not one of " + CELLS);
            }
            if (!ATTENTIONS.contains(attention)) {
                throw new IllegalArgumentException("attention '" + attention + "' is not one of " + ATTENTIONS);
            }
            if (sourceVocabulary < 1 || targetVocabulary < 1 || embedding < 1 || hidden < 1 || heads < 1) {
                throw new IllegalArgumentException("sizes must be >= 1: source vocabulary " + sourceVocabulary + ", target vocabulary "
                        + targetVocabulary + ", embedding " + embedding + ", hidden " + hidden + ", heads " + heads);
            }
            if (attention.equals("multihead") && hidden % heads != 0) {
                throw new IllegalArgumentException("heads " + heads + " does not divide hidden " + hidden);
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("dropout " + dropout + " is outside [0, 1)");
            }
            if (sourcePad < 0 || sourcePad >= sourceVocabulary || targetPad < 0 || targetPad >= targetVocabulary) {
                throw new IllegalArgumentException("padding ids " + sourcePad + " / " + targetPad + " are outside the vocabularies ("
                        + sourceVocabulary + " / " + targetVocabulary + ")");
            }
        }

        /** A one-line description for the log. */
        public String describe() {
            return String.format(java.util.Locale.ROOT, "bidirectional %s encoder %d x 2, %s decoder %d with %s attention%s, embedding %d, "
                    + "dropout %.2f, vocabularies %d -> %d", cell, hidden, cell, hidden, attention,
                    attention.equals("multihead") ? " (" + heads + " heads)" : "", embedding, dropout, sourceVocabulary, targetVocabulary);
        }
    }

    /**
     * The encoder's result for a batch of sources.
     *
     * @param memory  the encoder outputs {@code [B, S, 2H]}, the keys of additive attention
     * @param keys    what the attention reads: {@code memory} (additive) or its projection {@code [B, S, H]} (multihead)
     * @param lengths the source lengths, each in {@code [1, S]}
     * @param initial the decoder's initial state, one {@code [1, B, H]} tensor per state (h; h and c)
     */
    public record Encoded(Var memory, Var keys, int[] lengths, List<Var> initial) {
        /** B. */
        public int batchSize() {
            return lengths.length;
        }
    }

    /**
     * Attention's result for decoder outputs.
     *
     * @param attentional {@code tanh(combine([h; context]))}, {@code [B, Tq, H]}, dropped out in training
     * @param weights     attention weights {@code [B, Tq, S]} (heads averaged for multihead)
     */
    public record Attended(Var attentional, Var weights) {
    }

    /**
     * One decoder step for N hypotheses.
     *
     * @param output the decoder outputs {@code [N, 1, H]}
     * @param state  the state after the step, one {@code [1, N, H]} tensor per state
     */
    public record StepResult(Var output, List<Var> state) {
    }

    private final Config config;
    private final Embedding sourceEmbedding;
    private final Embedding targetEmbedding;
    private final Recurrent encoder;
    private final Linear bridge;
    private final Recurrent decoder;
    private final AdditiveAttention additive;
    private final MultiheadAttention multihead;
    private final Linear memoryProjection;
    private final Linear combine;
    private final Linear output;
    private final Dropout dropout;
    private final int states;

    /**
     * A freshly initialised model.
     *
     * @param dtype FLOAT32 or FLOAT64 (the backend must support it)
     */
    public Seq2Seq(Config config, Backend backend, DType dtype) {
        this.config = config;
        SplittableRandom rng = new SplittableRandom(config.seed());
        int e = config.embedding();
        int h = config.hidden();
        this.states = Cells.byName(config.cell()).stateNames().size();
        sourceEmbedding = registerModule("source_embedding",
                new Embedding(config.sourceVocabulary(), e, config.sourcePad(), backend, dtype, rng));
        targetEmbedding = registerModule("target_embedding",
                new Embedding(config.targetVocabulary(), e, config.targetPad(), backend, dtype, rng));
        encoder = registerModule("encoder", Recurrent.builder(Cells.byName(config.cell()), e, h).bidirectional(true).backend(backend)
                .dtype(dtype).seed(rng.nextLong()).build());
        bridge = registerModule("bridge", new Linear(2 * h, h * states, true, backend, dtype, rng));
        decoder = registerModule("decoder", Recurrent.builder(Cells.byName(config.cell()), e, h).backend(backend).dtype(dtype)
                .seed(rng.nextLong()).build());
        int contextSize;
        if (config.attention().equals("additive")) {
            additive = registerModule("attention", new AdditiveAttention(h, 2 * h, h, backend, dtype, rng));
            multihead = null;
            memoryProjection = null;
            contextSize = 2 * h;
        } else {
            memoryProjection = registerModule("memory", new Linear(2 * h, h, true, backend, dtype, rng));
            multihead = registerModule("attention", new MultiheadAttention(h, config.heads(), backend, dtype, rng));
            additive = null;
            contextSize = h;
        }
        combine = registerModule("combine", new Linear(h + contextSize, h, true, backend, dtype, rng));
        output = registerModule("output", new Linear(h, config.targetVocabulary(), true, backend, dtype, rng));
        dropout = registerModule("dropout", new Dropout(config.dropout(), rng.nextLong()));
    }

    /** The hyperparameters. */
    public Config settings() {
        return config;
    }

    /** Registers this type's factory with {@link Models} (idempotent), so that model files rebuild it. */
    public static void register() {
        Models.register(TYPE, Seq2Seq::rebuild);
    }

    private static Seq2Seq rebuild(ModuleSpec s, Backend backend, DType dtype) {
        Config c;
        try {
            c = new Config(s.getString("cell", CELLS.toArray(String[]::new)), s.getString("attention", ATTENTIONS.toArray(String[]::new)),
                    s.getInt("source_vocabulary", 1, Integer.MAX_VALUE), s.getInt("target_vocabulary", 1, Integer.MAX_VALUE),
                    s.getInt("embedding", 1, Integer.MAX_VALUE), s.getInt("hidden", 1, Integer.MAX_VALUE), s.getInt("heads", 1, Integer.MAX_VALUE),
                    s.getDouble("dropout", 0, 1), s.getInt("source_pad", 0, Integer.MAX_VALUE), s.getInt("target_pad", 0, Integer.MAX_VALUE),
                    s.getLong("seed", Long.MIN_VALUE, Long.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            throw new org.rnn4j.models.ModelFormatException("module '" + s.path() + "' of type " + TYPE + ": " + e.getMessage(), e);
        }
        // every parameter lives in the children, which reserved theirs when they were rebuilt
        s.reserve(0);
        return new Seq2Seq(c, backend, dtype);
    }

    @Override
    public String typeName() {
        return TYPE;
    }

    /** Everything {@link #Seq2Seq} needs: the fields of {@link Config} in snake case ({@code seed} as a decimal string). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cell", config.cell());
        c.put("attention", config.attention());
        c.put("source_vocabulary", config.sourceVocabulary());
        c.put("target_vocabulary", config.targetVocabulary());
        c.put("embedding", config.embedding());
        c.put("hidden", config.hidden());
        c.put("heads", config.heads());
        c.put("dropout", config.dropout());
        c.put("source_pad", config.sourcePad());
        c.put("target_pad", config.targetPad());
        c.put("seed", Long.toString(config.seed()));
        return c;
    }

    /** What runs, for the log. */
    public String explain() {
        return config.describe() + "; encoder " + encoder.explain();
    }

    /**
     * Encodes a batch of sources.
     *
     * @param source padded source ids {@code [B][S]} with lengths >= 1 (padding = the source padding id)
     */
    public Encoded encode(PaddedSequences source) {
        int b = source.batchSize();
        int s = source.steps();
        Var x = dropout.forward(sourceEmbedding.forward(source.flat(), b, s));
        Recurrent.Output out = encoder.forward(x, source.full() ? null : source.lengths(), null);
        Var[] h = F.unbind(out.finalState().get(0), 0);
        Var init = F.tanh(bridge.forward(F.concat(1, h[0], h[1])));
        int hidden = config.hidden();
        List<Var> initial = new ArrayList<>(states);
        for (int k = 0; k < states; k++) {
            Var part = states == 1 ? init : F.slice(init, 1, k * hidden, (k + 1) * hidden);
            initial.add(F.reshape(part, 1, b, hidden));
        }
        Var keys = memoryProjection == null ? out.output() : memoryProjection.forward(out.output());
        return new Encoded(out.output(), keys, source.lengths().clone(), initial);
    }

    /**
     * Teacher forcing: the decoder over the target prefixes {@code [B][T]} (each starting with bos,
     * padded with the target padding id), from the encoder's initial state.
     *
     * @return the logits {@code [B, T, V]} and the attention weights {@code [B, T, S]}
     */
    public Decoded decode(Encoded encoded, PaddedSequences prefixes) {
        int b = prefixes.batchSize();
        int t = prefixes.steps();
        if (b != encoded.batchSize()) {
            throw new IllegalArgumentException("decode: " + b + " target prefixes for " + encoded.batchSize() + " sources");
        }
        Var x = dropout.forward(targetEmbedding.forward(prefixes.flat(), b, t));
        Recurrent.Output out = decoder.forward(x, prefixes.full() ? null : prefixes.lengths(), encoded.initial());
        Attended a = attend(out.output(), encoded);
        return new Decoded(output.forward(a.attentional()), a.weights());
    }

    /**
     * The logits and attention weights of teacher-forced decoding.
     *
     * @param logits  {@code [B, T, V]}
     * @param weights {@code [B, T, S]}
     */
    public record Decoded(Var logits, Var weights) {
    }

    /**
     * One decoder step for N hypotheses: each consumes its last token from its state.
     *
     * @param tokens the last token of each hypothesis
     * @param state  one {@code [1, N, H]} tensor per state
     */
    public StepResult step(int[] tokens, List<Var> state) {
        Var x = dropout.forward(targetEmbedding.forward(tokens, tokens.length, 1));
        Recurrent.Output out = decoder.forward(x, null, state);
        return new StepResult(out.output(), out.finalState());
    }

    /**
     * Attention from decoder outputs {@code [B, Tq, H]} over the encoded sources of the same B, padded
     * source positions masked; the attentional vectors {@code tanh(combine([h; context]))} are dropped out.
     */
    public Attended attend(Var queries, Encoded encoded) {
        AttentionResult r = additive != null ? additive.forward(queries, encoded.keys(), encoded.lengths())
                : multihead.forward(queries, encoded.keys(), encoded.keys(), encoded.lengths(), false);
        Var a = F.tanh(combine.forward(F.concat(2, queries, r.output())));
        return new Attended(dropout.forward(a), r.weights());
    }

    /** The logits {@code [..., V]} of attentional vectors {@code [..., H]}. */
    public Var predict(Var attentional) {
        return output.forward(attentional);
    }

    /** H. */
    public int hidden() {
        return config.hidden();
    }

    /** How many state tensors the decoder carries (1 for GRU, 2 for LSTM). */
    public int stateCount() {
        return states;
    }
}
