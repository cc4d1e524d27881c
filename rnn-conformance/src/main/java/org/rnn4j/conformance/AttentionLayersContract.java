package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.LayerNorm;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.attention.AdditiveAttention;
import org.rnn4j.nn.attention.AttentionResult;
import org.rnn4j.nn.attention.MultiheadAttention;
import org.rnn4j.models.Models;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The layers built on the batched ops, on a backend: {@link LayerNorm}, {@link AdditiveAttention} and
 * {@link MultiheadAttention} ({@link LayersContract} covers the module tree and the other layers).
 * Gradients of every input and
 * parameter against float64 central differences (values are checked against PyTorch by the golden
 * cases), the invariants of attention weights under masks, the rejection of bad input (shapes,
 * masks that hide every key of a query) before anything is computed, and a round trip through a
 * model file ({@link Models}).
 */
public abstract class AttentionLayersContract extends BackendContract {

    private ComputeBackend b() {
        return backendFor(DType.FLOAT64);
    }

    /** A float64 leaf of {@code shape} with values in U(-1, 1). */
    private static Var leaf(ComputeBackend b, SplittableRandom rng, int... shape) {
        return GradCheck.randomLeaf(b, rng, true, shape);
    }

    /** Replaces every parameter of {@code m} with random values (so that no gradient is checked at a special point). */
    private static Map<String, Var> randomise(Module m, ComputeBackend b, SplittableRandom rng) {
        Map<String, Var> leaves = new LinkedHashMap<>();
        for (Map.Entry<String, Var> e : m.parameters().entrySet()) {
            e.getValue().set(GradCheck.random(b, rng, DType.FLOAT64, e.getValue().shape()));
            leaves.put(e.getKey(), e.getValue());
        }
        return leaves;
    }

    /** Gradient-checks the weighted sum of both attention outputs with respect to {@code leaves}. */
    private static void checkAttention(String what, ComputeBackend b, SplittableRandom rng, Map<String, Var> leaves,
                                       Supplier<AttentionResult> run) {
        AttentionResult first = run.get();
        Tensor ro = GradCheck.random(b, rng, DType.FLOAT64, first.output().shape());
        Tensor rw = GradCheck.random(b, rng, DType.FLOAT64, first.weights().shape());
        GradCheck.check(what, leaves, () -> {
            AttentionResult r = run.get();
            return F.add(GradCheck.weightedSum(r.output(), ro), GradCheck.weightedSum(r.weights(), rw));
        });
    }

    private static Map<String, Var> with(Map<String, Var> params, Object... nameThenVar) {
        Map<String, Var> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenVar.length; i += 2) {
            m.put((String) nameThenVar[i], (Var) nameThenVar[i + 1]);
        }
        m.putAll(params);
        return m;
    }

    /** Every row of {@code weights [B, Tq, S]} sums to 1, is exactly 0 where {@code hidden(b, q, s)}. */
    private interface Hidden {
        boolean at(int b, int q, int s);
    }

    private static void checkWeights(String what, Var weights, Hidden hidden) {
        int[] s = weights.shape();
        double[] w = weights.value().toDoubleArray();
        for (int b = 0; b < s[0]; b++) {
            for (int q = 0; q < s[1]; q++) {
                double sum = 0;
                for (int k = 0; k < s[2]; k++) {
                    double v = w[(b * s[1] + q) * s[2] + k];
                    if (hidden.at(b, q, k)) {
                        assertEquals(0.0, v, 0.0, what + ": weight of hidden key " + k + " for batch " + b + ", query " + q);
                    } else {
                        assertTrue(v > 0, what + ": weight of visible key " + k + " for batch " + b + ", query " + q + " is " + v);
                    }
                    sum += v;
                }
                assertEquals(1.0, sum, 1e-12, what + ": weights of batch " + b + ", query " + q + " sum to " + sum);
            }
        }
    }

    private static IllegalArgumentException rejects(String what, Executable call, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, () -> what + ": expected an IllegalArgumentException");
        String msg = String.valueOf(e.getMessage());
        for (String m : mentions) {
            assertTrue(msg.contains(m), () -> what + ": the message does not mention '" + m + "': " + msg);
        }
        return e;
    }

    // =====================================================================================
    // LayerNorm
    // =====================================================================================

    @Test
    void layerNormGradientsAffineAndPlain() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(1);
        for (int[] shape : new int[][] {{5}, {3, 4}, {2, 3, 6}}) {
            int n = shape[shape.length - 1];
            LayerNorm affine = new LayerNorm(n, 1e-5, true, b, DType.FLOAT64);
            assertEquals(List.of("weight", "bias"), List.copyOf(affine.parameters().keySet()), "LayerNorm parameter names");
            Map<String, Var> params = randomise(affine, b, rng);
            Var x = leaf(b, rng, shape);
            Tensor r = GradCheck.random(b, rng, DType.FLOAT64, shape);
            GradCheck.check("LayerNorm affine " + Shapes.str(shape), with(params, "x", x),
                    () -> GradCheck.weightedSum(affine.forward(x), r));
            LayerNorm plain = new LayerNorm(n, 1e-3, false, b, DType.FLOAT64);
            assertTrue(plain.parameters().isEmpty(), "LayerNorm without affine has parameters " + plain.parameters().keySet());
            GradCheck.check("LayerNorm plain " + Shapes.str(shape), Map.of("x", x), () -> GradCheck.weightedSum(plain.forward(x), r));
        }
    }

    @Test
    void layerNormRowsHaveZeroMeanAndUnitVariance() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(2);
        Var x = leaf(b, rng, 4, 7);
        double[] y = new LayerNorm(7, 1e-12, true, b, DType.FLOAT64).forward(x).value().toDoubleArray();
        for (int r = 0; r < 4; r++) {
            double mean = 0;
            double sq = 0;
            for (int j = 0; j < 7; j++) {
                mean += y[r * 7 + j] / 7;
            }
            for (int j = 0; j < 7; j++) {
                sq += (y[r * 7 + j] - mean) * (y[r * 7 + j] - mean) / 7;
            }
            assertEquals(0.0, mean, 1e-12, "row " + r + " mean");
            assertEquals(1.0, sq, 1e-9, "row " + r + " biased variance");
        }
    }

    @Test
    void layerNormRejectsBadInput() {
        ComputeBackend b = b();
        LayerNorm ln = new LayerNorm(6, b, DType.FLOAT64);
        rejects("LayerNorm of [2, 5] with normalized size 6", () -> ln.forward(Var.constant(b.zeros(DType.FLOAT64, 2, 5))), "[2, 5]", "6");
        rejects("LayerNorm of a scalar", () -> ln.forward(Var.constant(b.zeros(DType.FLOAT64))), "[]");
        rejects("LayerNorm size 0", () -> new LayerNorm(0, b, DType.FLOAT64), "0");
        rejects("LayerNorm eps 0", () -> new LayerNorm(3, 0.0, true, b, DType.FLOAT64), "eps");
    }

    // =====================================================================================
    // model files
    // =====================================================================================

    /** A user model with a layer norm and both attention layers as children. */
    public static final class Attender extends Module {
        final LayerNorm norm;
        final AdditiveAttention additive;
        final MultiheadAttention multihead;

        public Attender(Backend b, DType d, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            norm = registerModule("norm", new LayerNorm(4, 1e-4, true, b, d));
            additive = registerModule("additive", new AdditiveAttention(4, 4, 3, b, d, rng));
            multihead = registerModule("multihead", new MultiheadAttention(4, 2, b, d, rng));
        }

        /** {@code x [B, T, 4]}: self-attention of the normalised input, then additive attention over it. */
        Var forward(Var x, int[] lengths) {
            Var h = norm.forward(x);
            Var m = multihead.forward(h, h, h, lengths, true).output();
            return additive.forward(m, h, lengths).output();
        }

        @Override
        public Map<String, Object> config() {
            return Map.of();
        }
    }

    @Test
    void layerNormAndAttentionRebuildFromAModelFile(@TempDir Path dir) throws IOException {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(8);
        Models.register("Attender", (s, bb, d) -> new Attender(bb, d, 0));
        Attender model = new Attender(b, DType.FLOAT64, 11);
        randomise(model, b, rng);
        Path file = dir.resolve("attender.safetensors");
        Models.save(file, model);
        Attender back = Models.load(file, b).model(Attender.class);
        assertEquals(List.copyOf(model.parameters().keySet()), List.copyOf(back.parameters().keySet()), "parameter names after loading");
        Var x = Var.constant(GradCheck.random(b, rng, DType.FLOAT64, 2, 3, 4));
        int[] lengths = {3, 2};
        assertArrayEquals(model.forward(x, lengths).value().toDoubleArray(), back.forward(x, lengths).value().toDoubleArray(), 0.0,
                "outputs of the saved and the loaded model");
    }

    // =====================================================================================
    // additive attention
    // =====================================================================================

    @Test
    void additiveAttentionGradients() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(4);
        AdditiveAttention att = new AdditiveAttention(3, 4, 5, b, DType.FLOAT64, rng);
        assertEquals(List.of("Wa.weight", "Wa.bias", "Ua.weight", "Ua.bias", "Va.weight", "Va.bias"), List.copyOf(att.parameters().keySet()),
                "AdditiveAttention parameter names");
        Map<String, Var> params = randomise(att, b, rng);
        params.remove("Va.bias"); // its gradient is 0 exactly (softmax ignores a common shift): nothing to check by differences
        Var query = leaf(b, rng, 2, 3, 3);
        Var keys = leaf(b, rng, 2, 4, 4);
        int[] lengths = {4, 2};
        checkAttention("AdditiveAttention, all keys", b, rng, with(params, "query", query, "keys", keys), () -> att.forward(query, keys));
        checkAttention("AdditiveAttention, key lengths {4, 2}", b, rng, with(params, "query", query, "keys", keys),
                () -> att.forward(query, keys, lengths));
        AttentionResult r = att.forward(query, keys, lengths);
        assertArrayEquals(new int[] {2, 3, 4}, r.output().shape(), "context shape");
        checkWeights("AdditiveAttention weights", r.weights(), (bb, q, s) -> s >= lengths[bb]);
        assertEquals(0.0, att.parameters().get("Va.bias").grad() == null ? 0.0 : att.parameters().get("Va.bias").grad().item(), 1e-12,
                "gradient of Va.bias");
        // the mask form gives the same result as the lengths form
        Tensor pad = b.fromDoubles(new double[] {0, 0, 0, 0, 0, 0, 1, 1}, DType.FLOAT64, 2, 4);
        AttentionResult m = att.forward(query, keys, pad);
        Expect.close("AdditiveAttention with a padding mask", m.output().value(), r.output().shape(), r.output().value().toDoubleArray(), 0);
        Expect.close("AdditiveAttention weights with a padding mask", m.weights().value(), r.weights().shape(),
                r.weights().value().toDoubleArray(), 0);
    }

    @Test
    void additiveAttentionRejectsBadInput() {
        ComputeBackend b = b();
        AdditiveAttention att = new AdditiveAttention(3, 4, 5, b, DType.FLOAT64, new SplittableRandom(5));
        Var query = Var.constant(b.zeros(DType.FLOAT64, 2, 3, 3));
        Var keys = Var.constant(b.zeros(DType.FLOAT64, 2, 4, 4));
        rejects("a key length of 0", () -> att.forward(query, keys, new int[] {4, 0}), "batch entry 1");
        rejects("a key length past S", () -> att.forward(query, keys, new int[] {5, 1}), "keyLengths[0] = 5");
        rejects("one length for two batch entries", () -> att.forward(query, keys, new int[] {4}), "1", "2");
        Tensor allPad = b.fromDoubles(new double[] {0, 1, 1, 1, 1, 1, 1, 1}, DType.FLOAT64, 2, 4);
        rejects("a mask hiding every key of batch entry 1", () -> att.forward(query, keys, allPad), "batch entry 1");
        rejects("a mask of the wrong shape", () -> att.forward(query, keys, b.zeros(DType.FLOAT64, 2, 3)), "[2, 3]", "[2, 4]");
        Tensor notBinary = b.fromDoubles(new double[] {0, 0.5, 0, 0, 0, 0, 0, 0}, DType.FLOAT64, 2, 4);
        rejects("a mask with 0.5", () -> att.forward(query, keys, notBinary), "0.5");
        rejects("a query of the wrong size", () -> att.forward(Var.constant(b.zeros(DType.FLOAT64, 2, 3, 4)), keys), "[2, 3, 4]");
        rejects("keys of another batch", () -> att.forward(query, Var.constant(b.zeros(DType.FLOAT64, 3, 4, 4))), "[3, 4, 4]");
        rejects("attention size 0", () -> new AdditiveAttention(3, 4, 0, b, DType.FLOAT64, new SplittableRandom(0)), "attentionSize = 0");
    }

    // =====================================================================================
    // multi-head attention
    // =====================================================================================

    @Test
    void multiheadAttentionGradients() {
        ComputeBackend b = b();
        SplittableRandom rng = new SplittableRandom(6);
        for (int heads : new int[] {1, 2}) {
            MultiheadAttention att = new MultiheadAttention(4, heads, b, DType.FLOAT64, rng);
            assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                    List.copyOf(att.parameters().keySet()), "MultiheadAttention parameter names");
            Map<String, Var> params = randomise(att, b, rng);
            Var query = leaf(b, rng, 2, 3, 4);
            Var key = leaf(b, rng, 2, 4, 4);
            Var value = leaf(b, rng, 2, 4, 4);
            Map<String, Var> leaves = with(params, "query", query, "key", key, "value", value);
            int[] lengths = {3, 4};
            // one head without masks; two heads with key lengths, causal (a slow backend runs each check ~600 times)
            if (heads == 1) {
                checkAttention("1 head, no mask", b, rng, leaves, () -> att.forward(query, key, value));
            } else {
                checkAttention(heads + " heads, key lengths, causal", b, rng, leaves, () -> att.forward(query, key, value, lengths, true));
            }
            AttentionResult r = att.forward(query, key, value, lengths, true);
            checkWeights(heads + " heads, causal with lengths", r.weights(), (bb, q, s) -> s >= lengths[bb] || s > q);
            assertArrayEquals(new int[] {2, 3, 4}, r.output().shape(), "output shape");
            Tensor pad = b.fromDoubles(new double[] {0, 0, 0, 1, 0, 0, 0, 0}, DType.FLOAT64, 2, 4);
            AttentionResult m = att.forward(query, key, value, pad, true);
            Expect.close(heads + " heads with a padding mask", m.output().value(), r.output().shape(), r.output().value().toDoubleArray(), 0);
            if (heads == 2) {
                // self-attention: one Var as query, key and value
                Var x = leaf(b, rng, 2, 3, 4);
                checkAttention("2 heads, self-attention, causal", b, rng, Map.of("x", x), () -> att.forward(x, x, x, true));
            }
        }
    }

    @Test
    void multiheadAttentionRejectsBadInput() {
        ComputeBackend b = b();
        MultiheadAttention att = new MultiheadAttention(4, 2, b, DType.FLOAT64, new SplittableRandom(7));
        Var q = Var.constant(b.zeros(DType.FLOAT64, 2, 3, 4));
        Var k = Var.constant(b.zeros(DType.FLOAT64, 2, 5, 4));
        rejects("a key length of 0 with a causal mask", () -> att.forward(q, k, k, new int[] {5, 0}, true), "batch entry 1", "query 0");
        rejects("a key length of 0", () -> att.forward(q, k, k, new int[] {0, 5}, false), "batch entry 0");
        Tensor pad = b.fromDoubles(new double[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, DType.FLOAT64, 2, 5);
        rejects("padding the only key query 0 may see under a causal mask", () -> att.forward(q, k, k, pad, true), "batch entry 0",
                "query 0");
        rejects("value of another length", () -> att.forward(q, k, Var.constant(b.zeros(DType.FLOAT64, 2, 4, 4))), "[2, 4, 4]");
        rejects("query of the wrong embedding", () -> att.forward(Var.constant(b.zeros(DType.FLOAT64, 2, 3, 5)), k, k), "[2, 3, 5]");
        rejects("heads that do not divide the embedding", () -> new MultiheadAttention(6, 4, b, DType.FLOAT64, new SplittableRandom(0)),
                "embedDim = 6", "numHeads = 4");
    }
}
