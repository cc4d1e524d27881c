package org.rnn4j.examples.nn;

import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.nn.Init;
import org.rnn4j.nn.Module;
import org.rnn4j.tensor.DType;

/**
 * PyTorch's {@code nn.Embedding}: a table {@code weight [V, E]} initialised N(0, 1), looked up with
 * {@link F#gatherRows} (whose backward scatters-adds into the rows used). A candidate for rnn-api.
 */
public final class Embedding implements Module {
    private final Var weight;
    private final String name;
    private final int embeddingDim;

    /** @param prefix parameter-name prefix ({@code embedding} gives {@code embedding.weight}) */
    public Embedding(String prefix, int numEmbeddings, int embeddingDim, Backend backend, DType dtype, SplittableRandom rng) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding: sizes must be >= 1, got " + numEmbeddings + " x " + embeddingDim);
        }
        this.weight = Var.parameter(Init.normal(backend, dtype, rng, 1.0, numEmbeddings, embeddingDim));
        this.name = prefix + ".weight";
        this.embeddingDim = embeddingDim;
    }

    /** Rows of the table for {@code ids} (each in {@code [0, V)}): {@code [ids.length, E]}. */
    public Var forward(int[] ids) {
        return F.gatherRows(weight, ids);
    }

    /** {@code ids} as a batch of sequences, {@code [batch, steps]} row-major: {@code [batch, steps, E]}. */
    public Var forward(int[] ids, int batch, int steps) {
        if (ids.length != batch * steps) {
            throw new IllegalArgumentException("Embedding: " + ids.length + " ids for a [" + batch + ", " + steps + "] batch");
        }
        return F.reshape(forward(ids), batch, steps, embeddingDim);
    }

    public int embeddingDim() {
        return embeddingDim;
    }

    public Var weight() {
        return weight;
    }

    @Override
    public Map<String, Var> parameters() {
        return Map.of(name, weight);
    }
}
