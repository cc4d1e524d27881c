package org.rnn4j.nn.attention;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Additive (Bahdanau) attention, as in PyTorch's seq2seq translation tutorial, batch-first:
 * {@code scores[b, q, s] = Va(tanh(Wa(query[b, q]) + Ua(keys[b, s])))}, padded keys set to
 * {@code -inf}, {@code weights = softmax over s}, {@code context = weights · keys}.
 *
 * <p>Parameters (PyTorch's names): {@code Wa.weight [A, Hq]}, {@code Wa.bias [A]},
 * {@code Ua.weight [A, Hk]}, {@code Ua.bias [A]}, {@code Va.weight [1, A]}, {@code Va.bias [1]}, each
 * initialised as PyTorch's {@code nn.Linear} (U(-1/sqrt(in), 1/sqrt(in))).
 *
 * <p>The scores are formed for every (query, key) pair at once as a {@code [B, Tq, S, A]} tensor, so
 * memory grows with {@code B * Tq * S * A}.
 */
public final class AdditiveAttention extends Module {
    private static final String WHO = "AdditiveAttention.forward";

    private final int querySize;
    private final int keySize;
    private final int attentionSize;
    private final Linear wa;
    private final Linear ua;
    private final Linear va;

    /**
     * @param querySize     Hq, the last dimension of the queries
     * @param keySize       Hk, the last dimension of the keys (and of the context)
     * @param attentionSize A, the size of the hidden layer of the score
     * @param rng           advanced by the draws: {@code Wa}, then {@code Ua}, then {@code Va}, weight before bias
     */
    public AdditiveAttention(int querySize, int keySize, int attentionSize, Backend backend, DType dtype, SplittableRandom rng) {
        if (querySize <= 0 || keySize <= 0 || attentionSize <= 0) {
            throw new IllegalArgumentException("AdditiveAttention: querySize = " + querySize + ", keySize = " + keySize
                    + ", attentionSize = " + attentionSize + "; all must be >= 1");
        }
        if (backend == null || dtype == null || rng == null) {
            throw new IllegalArgumentException("AdditiveAttention: backend, dtype and rng are required, got backend " + backend + ", dtype "
                    + dtype + ", rng " + rng);
        }
        this.querySize = querySize;
        this.keySize = keySize;
        this.attentionSize = attentionSize;
        this.wa = registerModule("Wa", new Linear(querySize, attentionSize, true, backend, dtype, rng));
        this.ua = registerModule("Ua", new Linear(keySize, attentionSize, true, backend, dtype, rng));
        this.va = registerModule("Va", new Linear(attentionSize, 1, true, backend, dtype, rng));
    }

    /** Attention over every key; see {@link #forward(Var, Var, int[])}. */
    public AttentionResult forward(Var query, Var keys) {
        return attend(query, keys, null, check(query, keys));
    }

    /**
     * Attends from {@code query [B, Tq, Hq]} over {@code keys [B, S, Hk]}.
     *
     * @param keyLengths per batch entry the number of valid keys, in {@code [1, S]} (keys at
     *                   {@code s >= keyLengths[b]} are padding); null when every key is valid
     * @return context {@code [B, Tq, Hk]} and weights {@code [B, Tq, S]}
     * @throws IllegalArgumentException for shapes that do not fit, or a length of 0 (a batch entry
     *                                  whose queries would see no key), naming the batch entry
     */
    public AttentionResult forward(Var query, Var keys, int[] keyLengths) {
        int[] dims = check(query, keys);
        double[] pad = keyLengths == null ? null : KeyMask.fromLengths(WHO, keyLengths, dims[0], dims[2]);
        return attend(query, keys, pad, dims);
    }

    /**
     * {@link #forward(Var, Var, int[])} with key padding given as a {@code [B, S]} tensor of 0 and 1, 1
     * marking a padded key (PyTorch's {@code key_padding_mask} convention).
     */
    public AttentionResult forward(Var query, Var keys, Tensor keyPaddingMask) {
        int[] dims = check(query, keys);
        return attend(query, keys, KeyMask.fromTensor(WHO, keyPaddingMask, dims[0], dims[2]), dims);
    }

    /** Validates the shapes; returns {B, Tq, S}. */
    private int[] check(Var query, Var keys) {
        if (query == null || keys == null) {
            throw new IllegalArgumentException(WHO + ": query and keys must not be null");
        }
        int[] q = query.shape();
        int[] k = keys.shape();
        if (q.length != 3 || q[2] != querySize) {
            throw new IllegalArgumentException(WHO + ": query must be [B, Tq, " + querySize + "], got " + Shapes.str(q));
        }
        if (k.length != 3 || k[2] != keySize || k[0] != q[0]) {
            throw new IllegalArgumentException(WHO + ": keys must be [B, S, " + keySize + "] with B = " + q[0]
                    + " as in the query, got " + Shapes.str(k));
        }
        return new int[] {q[0], q[1], k[1]};
    }

    private AttentionResult attend(Var query, Var keys, double[] pad, int[] dims) {
        int b = dims[0];
        int tq = dims[1];
        int s = dims[2];
        Tensor mask = KeyMask.build(WHO, pad, false, b, tq, s, query.backend(), query.dtype());
        Var wq = F.reshape(wa.forward(query), b, tq, 1, attentionSize);
        Var uk = F.reshape(ua.forward(keys), b, 1, s, attentionSize);
        Var scores = F.reshape(va.forward(F.tanh(F.add(wq, uk))), b, tq, s);
        if (mask != null) {
            scores = F.maskedFill(scores, mask, Double.NEGATIVE_INFINITY);
        }
        Var weights = F.softmax(scores);
        return new AttentionResult(F.bmm(weights, keys), weights);
    }

    public int querySize() {
        return querySize;
    }

    public int keySize() {
        return keySize;
    }

    public int attentionSize() {
        return attentionSize;
    }

    /** {@code query_size}, {@code key_size}, {@code attention_size} (the children {@code Wa}, {@code Ua}, {@code Va} follow from them). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("query_size", querySize);
        c.put("key_size", keySize);
        c.put("attention_size", attentionSize);
        return c;
    }
}
