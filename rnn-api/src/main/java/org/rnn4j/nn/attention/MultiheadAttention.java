package org.rnn4j.nn.attention;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Init;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Multi-head scaled dot-product attention with the semantics of PyTorch's
 * {@code nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)} without dropout (and with
 * {@code kdim = vdim = embed_dim}): the query, key and value are projected by the three row blocks of
 * {@code in_proj_weight}; each of the {@code H} heads takes its {@code d = E / H} columns and computes
 * {@code softmax(q k^T / sqrt(d) + mask) v}; the heads are concatenated and projected by
 * {@code out_proj}. Masked scores are {@code -inf}: padded keys (from lengths or a key padding mask) and,
 * when causal, keys after the query ({@code s > q}).
 *
 * <p>Parameters (PyTorch's names): {@code in_proj_weight [3E, E]} (Xavier-uniform, as PyTorch),
 * {@code in_proj_bias [3E]} (0), {@code out_proj.weight [E, E]} (U(-1/sqrt(E), 1/sqrt(E))),
 * {@code out_proj.bias [E]} (0).
 */
public final class MultiheadAttention extends Module {
    private static final String WHO = "MultiheadAttention.forward";

    private final int embedDim;
    private final int numHeads;
    private final Var inProjWeight;
    private final Var inProjBias;
    private final Linear outProj;

    /**
     * @param embedDim E, the last dimension of query, key, value and output
     * @param numHeads H, which must divide E
     * @param rng      advanced by the draws: {@code in_proj_weight}, then {@code out_proj.weight}
     */
    public MultiheadAttention(int embedDim, int numHeads, Backend backend, DType dtype, SplittableRandom rng) {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim = " + embedDim + ", numHeads = " + numHeads
                    + "; both must be >= 1 and numHeads must divide embedDim");
        }
        if (backend == null || dtype == null || rng == null) {
            throw new IllegalArgumentException("MultiheadAttention: backend, dtype and rng are required, got backend " + backend + ", dtype "
                    + dtype + ", rng " + rng);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        // xavier_uniform_ on [3E, E]: fan_in E, fan_out 3E
        this.inProjWeight = registerParameter("in_proj_weight",
                Init.uniformParameter(backend, dtype, rng, Math.sqrt(6.0 / (4.0 * embedDim)), 3 * embedDim, embedDim));
        this.inProjBias = registerParameter("in_proj_bias", Var.parameter(backend.zeros(dtype, 3 * embedDim)));
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, true, backend, dtype, rng));
        outProj.bias().set(backend.zeros(dtype, embedDim));
    }

    /** Attention without masks; see {@link #forward(Var, Var, Var, int[], boolean)}. */
    public AttentionResult forward(Var query, Var key, Var value) {
        return forward(query, key, value, false);
    }

    /** Attention without key padding, causal when asked; see {@link #forward(Var, Var, Var, int[], boolean)}. */
    public AttentionResult forward(Var query, Var key, Var value, boolean causal) {
        int[] dims = check(query, key, value);
        return attend(query, key, value, null, causal, dims);
    }

    /**
     * Attends from {@code query [B, Tq, E]} over {@code key [B, S, E]} and {@code value [B, S, E]}.
     *
     * @param keyLengths per batch entry the number of valid keys, in {@code [1, S]} (keys at
     *                   {@code s >= keyLengths[b]} are padding); null when every key is valid
     * @param causal     when true, query {@code q} sees only keys {@code s <= q} (PyTorch's
     *                   {@code attn_mask = triu(ones(Tq, S), 1)})
     * @return the output {@code [B, Tq, E]} and the weights {@code [B, Tq, S]} averaged over heads
     * @throws IllegalArgumentException for shapes that do not fit, or masks that leave some query without
     *                                  any key (naming the batch entry and the query)
     */
    public AttentionResult forward(Var query, Var key, Var value, int[] keyLengths, boolean causal) {
        int[] dims = check(query, key, value);
        double[] pad = keyLengths == null ? null : KeyMask.fromLengths(WHO, keyLengths, dims[0], dims[2]);
        return attend(query, key, value, pad, causal, dims);
    }

    /**
     * {@link #forward(Var, Var, Var, int[], boolean)} with key padding given as a {@code [B, S]} tensor of
     * 0 and 1, 1 marking a padded key (PyTorch's {@code key_padding_mask}).
     */
    public AttentionResult forward(Var query, Var key, Var value, Tensor keyPaddingMask, boolean causal) {
        int[] dims = check(query, key, value);
        return attend(query, key, value, KeyMask.fromTensor(WHO, keyPaddingMask, dims[0], dims[2]), causal, dims);
    }

    /** Validates the shapes; returns {B, Tq, S}. */
    private int[] check(Var query, Var key, Var value) {
        if (query == null || key == null || value == null) {
            throw new IllegalArgumentException(WHO + ": query, key and value must not be null");
        }
        int[] q = query.shape();
        int[] k = key.shape();
        int[] v = value.shape();
        if (q.length != 3 || q[2] != embedDim) {
            throw new IllegalArgumentException(WHO + ": query must be [B, Tq, " + embedDim + "], got " + Shapes.str(q));
        }
        if (k.length != 3 || k[0] != q[0] || k[2] != embedDim) {
            throw new IllegalArgumentException(WHO + ": key must be [B, S, " + embedDim + "] with B = " + q[0]
                    + " as in the query, got " + Shapes.str(k));
        }
        if (v.length != 3 || v[0] != k[0] || v[1] != k[1] || v[2] != embedDim) {
            throw new IllegalArgumentException(WHO + ": value must be [B, S, " + embedDim + "] = " + Shapes.str(k[0], k[1], embedDim)
                    + " as the key, got " + Shapes.str(v));
        }
        return new int[] {q[0], q[1], k[1]};
    }

    private AttentionResult attend(Var query, Var key, Var value, double[] pad, boolean causal, int[] dims) {
        int b = dims[0];
        int tq = dims[1];
        int s = dims[2];
        int e = embedDim;
        int d = e / numHeads;
        Tensor mask = KeyMask.build(WHO, pad, causal, b, tq, s, query.backend(), query.dtype());
        Var q = F.scale(F.linear(query, F.slice(inProjWeight, 0, 0, e), F.slice(inProjBias, 0, 0, e)), 1.0 / Math.sqrt(d));
        Var k = F.linear(key, F.slice(inProjWeight, 0, e, 2 * e), F.slice(inProjBias, 0, e, 2 * e));
        Var v = F.linear(value, F.slice(inProjWeight, 0, 2 * e, 3 * e), F.slice(inProjBias, 0, 2 * e, 3 * e));
        List<Var> heads = new ArrayList<>(numHeads);
        Var weightSum = null;
        for (int h = 0; h < numHeads; h++) {
            Var qh = numHeads == 1 ? q : F.slice(q, 2, h * d, (h + 1) * d);
            Var kh = numHeads == 1 ? k : F.slice(k, 2, h * d, (h + 1) * d);
            Var vh = numHeads == 1 ? v : F.slice(v, 2, h * d, (h + 1) * d);
            Var scores = F.bmm(qh, kh, false, true);
            if (mask != null) {
                scores = F.maskedFill(scores, mask, Double.NEGATIVE_INFINITY);
            }
            Var w = F.softmax(scores);
            heads.add(F.bmm(w, vh));
            weightSum = weightSum == null ? w : F.add(weightSum, w);
        }
        Var attended = numHeads == 1 ? heads.get(0) : F.concat(heads, 2);
        Var weights = numHeads == 1 ? weightSum : F.scale(weightSum, 1.0 / numHeads);
        return new AttentionResult(outProj.forward(attended), weights);
    }

    public int embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    /** {@code embed_dim}, {@code num_heads}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("embed_dim", embedDim);
        c.put("num_heads", numHeads);
        return c;
    }
}
