package org.rnn4j.conformance;

import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.LayerNorm;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.DType;

/** Golden runners for the framework layer's single-module kinds ({@code embedding}, {@code layer_norm}). */
final class GoldenLayers {
    private GoldenLayers() {
    }

    /**
     * {@code embedding}: {@code torch.nn.Embedding(num_embeddings, embedding_dim, padding_idx)} with the
     * case's weight; output and the weight's gradient of {@code sum(output * grad_output)}.
     */
    static void embedding(GoldenCase c, ComputeBackend backend, DType dtype) {
        int v = c.metaInt("num_embeddings");
        int e = c.metaInt("embedding_dim");
        String pad = c.meta("padding_idx", "None");
        int paddingIdx = pad.equalsIgnoreCase("none") || pad.isEmpty() ? -1 : Integer.parseInt(pad);
        Embedding emb = new Embedding(v, e, paddingIdx, backend, dtype, new SplittableRandom(0));
        emb.loadStateDict(Map.of("weight", c.tensor("weight", backend, dtype)), true);
        int[] shape = c.shape("indices");
        Var out = emb.forward(c.ints("indices"), shape);
        Expect.close(c.name() + " output", out.value(), c.shape("output"), c.doubles("output"), Expect.values(dtype));
        F.sum(F.mul(out, Var.constant(c.tensor("grad_output", backend, dtype)))).backward();
        Expect.close(c.name() + " grad.weight", emb.weight().grad(), c.shape("grad.weight"), c.doubles("grad.weight"),
                Expect.gradients(dtype));
    }

    /**
     * {@code layer_norm}: {@code torch.nn.LayerNorm(normalized_size, eps, elementwise_affine)}; output and
     * the gradients of the input and (when affine) of {@code weight} and {@code bias} for
     * {@code sum(output * grad_output)}.
     */
    static void layerNorm(GoldenCase c, ComputeBackend backend, DType dtype) {
        boolean affine = c.metaBool("affine");
        LayerNorm ln = new LayerNorm(c.metaInt("normalized_size"), Double.parseDouble(c.meta("eps")), affine, backend, dtype);
        if (affine) {
            ln.loadStateDict(Map.of("weight", c.tensor("weight", backend, dtype), "bias", c.tensor("bias", backend, dtype)), true);
        }
        Var x = Var.leaf(c.tensor("input", backend, dtype), true);
        Var y = ln.forward(x);
        Expect.close(c.name() + " output", y.value(), c.shape("output"), c.doubles("output"), Expect.values(dtype));
        F.sum(F.mul(y, Var.constant(c.tensor("grad_output", backend, dtype)))).backward();
        Expect.close(c.name() + " grad.input", x.grad(), c.shape("grad.input"), c.doubles("grad.input"), Expect.gradients(dtype));
        if (affine) {
            for (String p : new String[] {"weight", "bias"}) {
                Expect.close(c.name() + " grad." + p, ln.parameters().get(p).grad(), c.shape("grad." + p), c.doubles("grad." + p),
                        Expect.gradients(dtype));
            }
        }
    }
}
