package org.rnn4j.conformance;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.attention.AdditiveAttention;
import org.rnn4j.nn.attention.AttentionResult;
import org.rnn4j.nn.attention.MultiheadAttention;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.DType;

/**
 * Golden cases of the kinds {@code attention_additive} and {@code attention_multihead} (see
 * golden/README.md): the module is built from the case's settings, its parameters are loaded by their
 * PyTorch names (strictly: every name of the module in the case and no other), and the outputs, the
 * gradients of the inputs and of every parameter are compared with {@link Expect}'s tolerances.
 */
final class AttentionGoldenRunner {
    private AttentionGoldenRunner() {
    }

    /** Loads every parameter of {@code m} from the case by name, strictly: the names must be exactly {@code caseParams}. */
    private static void load(GoldenCase c, Module m, Set<String> caseParams, ComputeBackend backend, DType dtype) {
        Map<String, org.rnn4j.tensor.Tensor> state = new java.util.LinkedHashMap<>();
        for (String n : caseParams) {
            state.put(n, c.tensor(n, backend, dtype));
        }
        m.loadStateDict(state, true);
    }

    /** The names of the case's tensors that also have a {@code grad.NAME}, minus {@code inputs}. */
    private static Set<String> parameterNames(GoldenCase c, Set<String> inputs) {
        Set<String> names = new TreeSet<>();
        for (String n : c.file().tensors().keySet()) {
            if (n.startsWith("grad.") && !inputs.contains(n.substring(5))) {
                names.add(n.substring(5));
            }
        }
        return names;
    }

    /**
     * Compares every parameter's gradient. A gradient that is zero in exact arithmetic (additive
     * attention's {@code Va.bias}: the softmax ignores a shift common to all scores) is stored by PyTorch
     * as rounding noise (about 1e-16), which no relative comparison can match; such a reference, below
     * 1e-12 of the largest gradient norm of the case, is compared absolutely against that norm.
     */
    private static void checkGrads(GoldenCase c, Module m, DType dtype) {
        double scale = 0;
        for (String n : c.file().tensors().keySet()) {
            if (n.startsWith("grad.")) {
                scale = Math.max(scale, norm(c.doubles(n)));
            }
        }
        double tol = Expect.gradients(dtype);
        for (Map.Entry<String, Var> e : m.parameters().entrySet()) {
            String g = "grad." + e.getKey();
            double[] expected = c.doubles(g);
            if (norm(expected) > 1e-12 * scale) {
                Expect.close(c.name() + " " + g, e.getValue().grad(), c.shape(g), expected, tol);
            } else {
                org.rnn4j.tensor.Tensor got = e.getValue().grad();
                if (got == null || !java.util.Arrays.equals(got.shape(), c.shape(g))) {
                    throw new AssertionError(c.name() + " " + g + ": " + (got == null ? "no gradient" : "shape "
                            + java.util.Arrays.toString(got.shape())) + ", expected shape " + java.util.Arrays.toString(c.shape(g)));
                }
                double[] actual = got.toDoubleArray();
                double[] diff = new double[actual.length];
                for (int i = 0; i < diff.length; i++) {
                    diff[i] = actual[i] - expected[i];
                }
                double err = norm(diff) / scale;
                if (!(err <= tol)) {
                    throw new AssertionError(c.name() + " " + g + " (zero in exact arithmetic, reference " + java.util.Arrays.toString(expected)
                            + "): error " + err + " relative to the case's largest gradient norm " + scale + " exceeds " + tol);
                }
            }
        }
    }

    private static double norm(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    private static Var weighted(Var v, GoldenCase c, String name, ComputeBackend backend, DType dtype) {
        return F.sum(F.mul(v, Var.constant(c.tensor(name, backend, dtype))));
    }

    /** {@code attention_additive}: Bahdanau attention with key lengths. */
    static void additive(GoldenCase c, ComputeBackend backend, DType dtype) {
        AdditiveAttention att = new AdditiveAttention(c.metaInt("query_size"), c.metaInt("key_size"), c.metaInt("attention_size"),
                backend, dtype, new SplittableRandom(0));
        load(c, att, parameterNames(c, Set.of("query", "keys")), backend, dtype);
        Var query = Var.leaf(c.tensor("query", backend, dtype), true);
        Var keys = Var.leaf(c.tensor("keys", backend, dtype), true);
        AttentionResult r = att.forward(query, keys, c.ints("key_lengths"));
        Expect.close(c.name() + " context", r.output().value(), c.shape("context"), c.doubles("context"), Expect.values(dtype));
        Expect.close(c.name() + " weights", r.weights().value(), c.shape("weights"), c.doubles("weights"), Expect.values(dtype));
        F.add(weighted(r.output(), c, "grad_context", backend, dtype), weighted(r.weights(), c, "grad_weights", backend, dtype))
                .backward();
        Expect.close(c.name() + " grad.query", query.grad(), c.shape("grad.query"), c.doubles("grad.query"), Expect.gradients(dtype));
        Expect.close(c.name() + " grad.keys", keys.grad(), c.shape("grad.keys"), c.doubles("grad.keys"), Expect.gradients(dtype));
        checkGrads(c, att, dtype);
    }

    /** {@code attention_multihead}: {@code torch.nn.MultiheadAttention(batch_first=True)}, key lengths, optional causal mask. */
    static void multihead(GoldenCase c, ComputeBackend backend, DType dtype) {
        if (Double.parseDouble(c.meta("dropout", "0")) != 0) {
            throw new AssertionError("golden case " + c.name() + ": dropout " + c.meta("dropout") + " is not supported");
        }
        MultiheadAttention att = new MultiheadAttention(c.metaInt("embed_dim"), c.metaInt("num_heads"), backend, dtype,
                new SplittableRandom(0));
        load(c, att, parameterNames(c, Set.of("query", "key", "value")), backend, dtype);
        Var query = Var.leaf(c.tensor("query", backend, dtype), true);
        Var key = Var.leaf(c.tensor("key", backend, dtype), true);
        Var value = Var.leaf(c.tensor("value", backend, dtype), true);
        AttentionResult r = att.forward(query, key, value, c.ints("key_lengths"), c.metaBool("causal"));
        Expect.close(c.name() + " output", r.output().value(), c.shape("output"), c.doubles("output"), Expect.values(dtype));
        Expect.close(c.name() + " weights", r.weights().value(), c.shape("weights"), c.doubles("weights"), Expect.values(dtype));
        F.add(weighted(r.output(), c, "grad_output", backend, dtype), weighted(r.weights(), c, "grad_weights", backend, dtype))
                .backward();
        for (String in : new String[] {"query", "key", "value"}) {
            Var v = switch (in) {
                case "query" -> query;
                case "key" -> key;
                default -> value;
            };
            Expect.close(c.name() + " grad." + in, v.grad(), c.shape("grad." + in), c.doubles("grad." + in), Expect.gradients(dtype));
        }
        checkGrads(c, att, dtype);
    }
}
