package org.rnn4j.examples.speech;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.models.Models;
import org.rnn4j.models.ModuleSpec;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Masks;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * The speech models: a (by default bidirectional, multi-layer) recurrent stack over feature steps
 * {@code [B, T, F]}, dropout, and a linear layer.
 * <ul>
 *   <li>task {@value #DIGITS}: the recurrent outputs are averaged over each utterance's valid steps
 *       (masked mean pooling) and mapped to the 10 digit logits {@code [B, 10]};
 *   <li>task {@value #CONNECTED}: every step is mapped to log-probabilities over the CTC alphabet
 *       {@code [B, T, 11]}: the blank ({@value #BLANK}) and digit {@code d} as label {@code d + 1}.
 * </ul>
 * Children: {@code rnn} ({@link Recurrent}), {@code dropout} ({@link Dropout}), {@code head}
 * ({@link Linear}). The model rebuilds from a model file ({@link Models#load}) once {@link #register()}
 * has run in the JVM.
 */
public final class SpeechNet extends Module {
    /** Task of the isolated-digit classifier. */
    public static final String DIGITS = "digits";
    /** Task of the connected-digit (CTC) recogniser. */
    public static final String CONNECTED = "connected";
    /** Index of the CTC blank. */
    public static final int BLANK = 0;
    /** The type name under which the model file stores this module. */
    public static final String TYPE = "SpeechNet";

    /**
     * The architecture.
     *
     * @param task {@value #DIGITS} or {@value #CONNECTED}
     * @param features input features per step
     * @param cell gru, lstm, rnn_tanh or rnn_relu
     * @param hidden hidden size per direction
     * @param layers recurrent layers
     * @param bidirectional whether each layer also reads backwards
     * @param dropout drop probability between recurrent layers and before the head
     */
    public record Config(String task, int features, String cell, int hidden, int layers, boolean bidirectional, double dropout) {
        /** Checks the values. */
        public Config {
            if (!DIGITS.equals(task) && !CONNECTED.equals(task)) {
                throw new IllegalArgumentException("SpeechNet: task '" + task + "', expected " + DIGITS + " or " + CONNECTED);
            }
            if (features < 1 || hidden < 1 || layers < 1) {
                throw new IllegalArgumentException("SpeechNet: features " + features + ", hidden " + hidden + ", layers " + layers
                        + "; expected each >= 1");
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw new IllegalArgumentException("SpeechNet: dropout " + dropout + ", expected a probability in [0, 1)");
            }
        }

        /** Outputs of the head: 10 digits, or 10 digits and the blank. */
        public int classes() {
            return DIGITS.equals(task) ? 10 : 11;
        }

        /** One line for the log. */
        public String describe() {
            return String.format(Locale.ROOT, "%s%s x%d, hidden %d, dropout %.2f, %s", bidirectional ? "bidirectional " : "",
                    cell.toUpperCase(Locale.ROOT), layers, hidden, dropout,
                    DIGITS.equals(task) ? "mean over time -> 10 digits" : "per step -> blank + 10 digits (CTC)");
        }
    }

    private final Config config;
    private final long seed;
    private final Recurrent rnn;
    private final Dropout dropout;
    private final Linear head;

    /**
     * A freshly initialised model.
     *
     * @param seed seed of the initial weights and of the dropout masks
     */
    public SpeechNet(Config config, Backend backend, DType dtype, long seed) {
        this.config = config;
        this.seed = seed;
        SplittableRandom rng = new SplittableRandom(seed);
        rnn = registerModule("rnn", Recurrent.builder(Cells.byName(config.cell()), config.features(), config.hidden())
                .numLayers(config.layers()).bidirectional(config.bidirectional()).dropout(config.layers() > 1 ? config.dropout() : 0)
                .backend(backend).dtype(dtype).seed(rng.nextLong()).build());
        dropout = registerModule("dropout", new Dropout(config.dropout(), rng.nextLong()));
        head = registerModule("head", new Linear(config.hidden() * rnn.directions(), config.classes(), true, backend, dtype, rng));
    }

    /** The architecture. */
    public Config settings() {
        return config;
    }

    /** The recurrent stack (for its {@link Recurrent#explain()}). */
    public Recurrent rnn() {
        return rnn;
    }

    /**
     * Digit logits of a batch (task {@value #DIGITS}).
     *
     * @param x {@code [B, T, features]}, padded steps anywhere after each utterance's length
     * @param lengths {@code [B]} valid steps, each in {@code [1, T]}
     * @return {@code [B, 10]}
     */
    public Var digitLogits(Var x, int[] lengths) {
        requireTask(DIGITS);
        int batch = x.dim(0);
        int steps = x.dim(1);
        Var out = rnn.forward(x, lengths, null).output();
        Var mask = Var.constant(Masks.stepMask(x.backend(), x.dtype(), lengths, steps, 1));
        double[] inv = new double[batch];
        for (int b = 0; b < batch; b++) {
            inv[b] = 1.0 / lengths[b];
        }
        Var mean = F.mul(F.sum(F.mul(out, mask), 1, false), Var.constant(x.backend().fromDoubles(inv, x.dtype(), batch, 1)));
        return head.forward(dropout.forward(mean));
    }

    /**
     * Per-step log-probabilities over the CTC alphabet (task {@value #CONNECTED}).
     *
     * @param x {@code [B, T, features]}
     * @param lengths {@code [B]} valid steps, each in {@code [1, T]}
     * @return {@code [B, T, 11]}, blank at {@value #BLANK}, digit {@code d} at {@code d + 1}
     */
    public Var stepLogProbs(Var x, int[] lengths) {
        requireTask(CONNECTED);
        Var out = rnn.forward(x, lengths, null).output();
        return F.logSoftmax(head.forward(dropout.forward(out)));
    }

    private void requireTask(String task) {
        if (!config.task().equals(task)) {
            throw new IllegalStateException("SpeechNet: this is a " + config.task() + " model; it has no " + task + " output");
        }
    }

    /** The architecture and the seed, for {@link Models}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("task", config.task());
        c.put("features", config.features());
        c.put("cell", config.cell());
        c.put("hidden", config.hidden());
        c.put("layers", config.layers());
        c.put("bidirectional", config.bidirectional());
        c.put("dropout", config.dropout());
        c.put("seed", Long.toString(seed));
        return c;
    }

    @Override
    public String typeName() {
        return TYPE;
    }

    /** Registers the factory that rebuilds a {@code SpeechNet} from a model file (idempotent). */
    public static synchronized void register() {
        if (!Models.registeredTypes().contains(TYPE)) {
            Models.register(TYPE, SpeechNet::rebuild);
        }
    }

    private static SpeechNet rebuild(ModuleSpec s, Backend b, DType d) {
        Config c;
        try {
            c = new Config(s.getString("task", DIGITS, CONNECTED), s.getInt("features", 1, 1 << 20),
                    s.getString("cell", List.of("gru", "lstm", "rnn_tanh", "rnn_relu").toArray(new String[0])), s.getInt("hidden", 1, 1 << 16),
                    s.getInt("layers", 1, 64), s.getBoolean("bidirectional"), s.getDouble("dropout", 0, 0.999));
        } catch (IllegalArgumentException e) {
            throw new org.rnn4j.models.ModelFormatException("module '" + s.path() + "' of type " + TYPE + ": " + e.getMessage());
        }
        // the children were rebuilt (and their weights counted) from the file; this builds the same tree, whose weights the loader sets
        return new SpeechNet(c, b, d, s.getLong("seed", Long.MIN_VALUE, Long.MAX_VALUE));
    }
}
