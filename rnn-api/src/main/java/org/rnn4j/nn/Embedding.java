package org.rnn4j.nn;

import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;

/**
 * PyTorch's {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx)}: a table
 * {@code weight [V, E]} initialised N(0, 1) (the padding row, if any, set to zeros), looked up by
 * integer ids. Positions holding the padding id return that row but send it no gradient, so it stays
 * as it is during training.
 */
public final class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final int paddingIdx;
    private final Var weight;

    /**
     * @param paddingIdx the padding id in {@code [0, V)}, or -1 for none
     * @param rng        advanced by the V*E draws of the table
     * @throws IllegalArgumentException on sizes below 1, a padding id outside {@code [-1, V)} or a null argument
     */
    public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx, Backend backend, DType dtype, SplittableRandom rng) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be >= 1, got " + numEmbeddings + " x " + embeddingDim);
        }
        if (paddingIdx < -1 || paddingIdx >= numEmbeddings) {
            throw new IllegalArgumentException("Embedding: paddingIdx = " + paddingIdx + ", expected -1 (none) or an id in [0, "
                    + numEmbeddings + ")");
        }
        if (backend == null || dtype == null || rng == null) {
            throw new IllegalArgumentException("Embedding: backend, dtype and rng are required");
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx;
        double[] table = Init.normalValues(rng, 1.0, Math.multiplyExact(numEmbeddings, embeddingDim));
        if (paddingIdx >= 0) {
            Arrays.fill(table, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim, 0.0);
        }
        this.weight = registerParameter("weight", Var.parameter(backend.fromDoubles(table, dtype, numEmbeddings, embeddingDim)));
    }

    /** An embedding without a padding id, seeded with {@code seed}. */
    public Embedding(int numEmbeddings, int embeddingDim, Backend backend, DType dtype, long seed) {
        this(numEmbeddings, embeddingDim, -1, backend, dtype, new SplittableRandom(seed));
    }

    /**
     * Rows of the table for {@code ids} laid out with {@code shape} (row-major, product = ids.length):
     * the result is {@code shape + [E]}. With no shape, {@code [ids.length, E]}.
     *
     * @throws IllegalArgumentException on an id outside {@code [0, V)} or a shape that does not fit
     */
    public Var forward(int[] ids, int... shape) {
        if (ids == null) {
            throw new IllegalArgumentException("Embedding.forward: ids is null");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= numEmbeddings) {
                throw new IllegalArgumentException("Embedding.forward: ids[" + i + "] = " + ids[i] + " is outside [0, " + numEmbeddings + ")");
            }
        }
        Var rows = F.embedding(weight, ids, paddingIdx);
        if (shape.length == 0) {
            return rows;
        }
        if (Shapes.size(shape) != ids.length) {
            throw new IllegalArgumentException("Embedding.forward: " + ids.length + " ids do not fill shape " + Shapes.str(shape));
        }
        int[] out = Arrays.copyOf(shape, shape.length + 1);
        out[shape.length] = embeddingDim;
        return F.reshape(rows, out);
    }

    /** A batch of sequences {@code ids[b][t]} (all of one length) as {@code [B, T, E]}. */
    public Var forward(int[][] ids) {
        int b = ids.length;
        int t = b == 0 ? 0 : ids[0].length;
        int[] flat = new int[b * t];
        for (int i = 0; i < b; i++) {
            if (ids[i].length != t) {
                throw new IllegalArgumentException("Embedding.forward: row " + i + " has " + ids[i].length + " ids, row 0 has " + t
                        + "; pad the batch to one length");
            }
            System.arraycopy(ids[i], 0, flat, i * t, t);
        }
        return forward(flat, b, t);
    }

    public int numEmbeddings() {
        return numEmbeddings;
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    /** The padding id, or -1. */
    public int paddingIdx() {
        return paddingIdx;
    }

    /** The table {@code [V, E]}. */
    public Var weight() {
        return weight;
    }

    /** {@code num_embeddings}, {@code embedding_dim}, {@code padding_idx} (-1 for none). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("num_embeddings", numEmbeddings);
        c.put("embedding_dim", embeddingDim);
        c.put("padding_idx", paddingIdx);
        return c;
    }
}
