package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.CellModule;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.GRUCell;
import org.rnn4j.nn.LSTMCell;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.LogSoftmax;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.RNNCell;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.nn.Sequential;
import org.rnn4j.optim.SGD;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * The module tree and the single-module layers of {@code org.rnn4j.nn} on a backend: dotted names,
 * state dicts, training mode, freezing, {@link Sequential}, {@link Linear} over leading dimensions,
 * {@link Embedding} with a padding id, {@link Dropout} and the one-step cell modules, with float64
 * gradient checks against central differences and cross-checks against {@link Recurrent}.
 */
public abstract class LayersContract extends BackendContract {

    /** An encoder-decoder-shaped tree: names as PyTorch would give them. */
    private static final class Tree extends Module {
        final Embedding embedding;
        final Sequential head;

        Tree(ComputeBackend b) {
            SplittableRandom rng = new SplittableRandom(1);
            embedding = registerModule("embedding", new Embedding(7, 4, 0, b, DType.FLOAT64, rng));
            Module encoder = registerModule("encoder", new Module() {
                {
                    registerModule("rnn", Recurrent.builder(Cells.gru(), 4, 3).backend(b).dtype(DType.FLOAT64).seed(2).build());
                }
            });
            assertNotEquals(null, encoder);
            head = registerModule("head", new Sequential(new Linear(3, 5, true, b, DType.FLOAT64, rng), new Dropout(0.5, 3),
                    new Linear(5, 2, false, b, DType.FLOAT64, rng), new LogSoftmax()));
        }
    }

    @Test
    void moduleTreeNamesParametersLikePyTorch() {
        Tree t = new Tree(backendFor(DType.FLOAT64));
        assertEquals(List.of("embedding.weight", "encoder.rnn.weight_ih_l0", "encoder.rnn.weight_hh_l0", "encoder.rnn.bias_ih_l0",
                "encoder.rnn.bias_hh_l0", "head.0.weight", "head.0.bias", "head.2.weight"), List.copyOf(t.parameters().keySet()));
        assertEquals(List.of("", "embedding", "encoder", "encoder.rnn", "head", "head.0", "head.1", "head.2", "head.3"),
                List.copyOf(t.namedModules().keySet()));
        assertEquals(7 * 4 + (9 * 4 + 9 * 3 + 9 + 9) + 3 * 5 + 5 + 5 * 2, t.parameterCount());
        String summary = t.summary();
        assertTrue(summary.contains("encoder.rnn") && summary.contains("Recurrent") && summary.contains("weight_ih_l0[9, 4]")
                && summary.contains("total parameters: " + String.format(java.util.Locale.ROOT, "%,d", t.parameterCount())), summary);
    }

    @Test
    void badRegistrationsAreRejectedWithTheName() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        IllegalArgumentException dotted = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                registerParameter("a.b", Var.parameter(b.zeros(DType.FLOAT64, 1)));
            }
        });
        assertTrue(dotted.getMessage().contains("'a.b'") && dotted.getMessage().contains("without '.'"), dotted.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                registerParameter("w", Var.parameter(b.zeros(DType.FLOAT64, 1)));
                registerModule("w", new LogSoftmax());
            }
        });
        assertTrue(twice.getMessage().contains("'w' is already registered"), twice.getMessage());
        IllegalArgumentException notLayer = assertThrows(IllegalArgumentException.class,
                () -> new Sequential().add(new Embedding(3, 2, b, DType.FLOAT64, 1)));
        assertTrue(notLayer.getMessage().contains("Embedding") && notLayer.getMessage().contains("Layer"), notLayer.getMessage());
    }

    @Test
    void stateDictRoundTripsAndLoadingChecksEverythingFirst() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        Tree a = new Tree(b);
        Tree c = new Tree(b);
        // make c different, then load a's state into it
        for (Var v : c.parameters().values()) {
            v.set(ComputeBackend.of(v.value()).scale(v.value(), 2));
        }
        Module.LoadResult r = c.loadStateDict(a.stateDict(), true);
        assertTrue(r.exact());
        for (Map.Entry<String, Tensor> e : a.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toDoubleArray(), c.stateDict().get(e.getKey()).toDoubleArray(), 0.0, e.getKey());
        }
        // a state dict and a loaded module hold copies: an in-place update of a's parameter (as an optimizer
        // step makes) reaches neither
        Map<String, Tensor> aState = a.stateDict();
        Tensor aWeight = a.parameters().get("embedding.weight").value();
        double[] cWeight = c.parameters().get("embedding.weight").value().toDoubleArray();
        b.addScaledInPlace(aWeight, 1, b.full(1, DType.FLOAT64, aWeight.shape()), 1);
        assertArrayEquals(cWeight, c.parameters().get("embedding.weight").value().toDoubleArray(), 0.0);
        assertArrayEquals(cWeight, aState.get("embedding.weight").toDoubleArray(), 0.0);
        // missing, unexpected and mis-shaped entries are all named, and nothing changes
        Map<String, Tensor> bad = new LinkedHashMap<>(a.stateDict());
        bad.remove("head.2.weight");
        bad.put("head.9.bias", b.zeros(DType.FLOAT64, 2));
        bad.put("head.0.bias", b.zeros(DType.FLOAT64, 6));
        Map<String, Tensor> before = c.stateDict();
        for (Var v : c.parameters().values()) {
            v.set(ComputeBackend.of(v.value()).scale(v.value(), 3));
        }
        Map<String, Tensor> scaled = c.stateDict();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.loadStateDict(bad, true));
        assertTrue(e.getMessage().contains("missing head.2.weight") && e.getMessage().contains("unexpected head.9.bias")
                && e.getMessage().contains("mis-shaped head.0.bias (expected [5], got [6])"), e.getMessage());
        scaled.forEach((k, v) -> assertArrayEquals(v.toDoubleArray(), c.stateDict().get(k).toDoubleArray(), 0.0,
                k + " changed by a failed load"));
        assertNotEquals(before.get("embedding.weight"), scaled.get("embedding.weight"));
        // non-strict: the mis-shaped entry is still an error; without it, the mismatches are reported
        bad.put("head.0.bias", a.stateDict().get("head.0.bias"));
        Module.LoadResult lenient = c.loadStateDict(bad, false);
        assertEquals(List.of("head.2.weight"), lenient.missing());
        assertEquals(List.of("head.9.bias"), lenient.unexpected());
        assertArrayEquals(a.stateDict().get("embedding.weight").toDoubleArray(), c.stateDict().get("embedding.weight").toDoubleArray(), 0.0);
    }

    @Test
    void stateDictLoadsAcrossDtypes() {
        ComputeBackend b = backend();
        Linear f32 = new Linear(3, 2, true, b, DType.FLOAT32, new SplittableRandom(5));
        if (!b.supports(DType.FLOAT64)) {
            return;
        }
        Linear f64 = new Linear(3, 2, true, b, DType.FLOAT64, new SplittableRandom(6));
        f64.loadStateDict(f32.stateDict(), true);
        assertEquals(DType.FLOAT64, f64.weight().dtype());
        assertArrayEquals(f32.weight().value().toDoubleArray(), f64.weight().value().toDoubleArray(), 0.0);
    }

    @Test
    void trainAndEvalPropagateToEveryDescendant() {
        Tree t = new Tree(backendFor(DType.FLOAT64));
        t.eval();
        t.namedModules().values().forEach(m -> assertFalse(m.isTraining(), m.typeName()));
        Var x = Var.constant(GradCheck.random(backendFor(DType.FLOAT64), new SplittableRandom(3), DType.FLOAT64, 4, 3));
        assertArrayEquals(t.head.forward(x).value().toDoubleArray(), t.head.forward(x).value().toDoubleArray(), 0.0,
                "dropout must be off in eval mode");
        t.train();
        t.namedModules().values().forEach(m -> assertTrue(m.isTraining(), m.typeName()));
    }

    @Test
    void frozenParametersGetNoGradientAndDoNotMove() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        Linear first = new Linear(3, 4, true, b, DType.FLOAT64, new SplittableRandom(7));
        Linear second = new Linear(4, 2, true, b, DType.FLOAT64, new SplittableRandom(8));
        Sequential net = new Sequential(first, second);
        // an optimizer built before freezing (fine-tuning) skips the frozen parameters
        SGD sgd = SGD.builder(net.parameters().values()).lr(0.1).build();
        first.freeze();
        assertEquals(List.of("1.weight", "1.bias"), List.copyOf(net.trainableParameters().keySet()));
        assertEquals(2 * 4 + 2, net.trainableParameterCount());
        Tensor w0 = first.weight().value();
        Var x = Var.constant(GradCheck.random(b, new SplittableRandom(9), DType.FLOAT64, 5, 3));
        F.sum(net.forward(x)).backward();
        assertNull(first.weight().grad());
        assertTrue(second.weight().grad() != null);
        sgd.step();
        assertSame(w0, first.weight().value());
        first.unfreeze();
        net.zeroGrad();
        F.sum(net.forward(x)).backward();
        assertTrue(first.weight().grad() != null);
    }

    @Test
    void linearOverLeadingDimensionsEqualsTheFlatProductAndChecksGradients() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(10);
        Linear lin = new Linear(4, 3, true, b, DType.FLOAT64, rng);
        Var x = GradCheck.randomLeaf(b, rng, true, 2, 5, 4);
        Var y = lin.forward(x);
        assertArrayEquals(new int[] {2, 5, 3}, y.shape());
        Var flat = lin.forward(F.reshape(x, 10, 4));
        assertArrayEquals(flat.value().toDoubleArray(), y.value().toDoubleArray(), 0.0);
        Tensor r = GradCheck.random(b, rng, DType.FLOAT64, 2, 5, 3);
        Map<String, Var> leaves = new LinkedHashMap<>(lin.parameters());
        leaves.put("x", x);
        GradCheck.check("Linear [B,T,I]", leaves, () -> GradCheck.weightedSum(lin.forward(x), r));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lin.forward(Var.constant(b.zeros(DType.FLOAT64, 2, 5))));
        assertTrue(e.getMessage().contains("[..., 4]") && e.getMessage().contains("[2, 5]"), e.getMessage());
    }

    @Test
    void embeddingWithPaddingIdLooksUpRowsAndLeavesThePaddingRowAlone() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        Embedding emb = new Embedding(6, 3, 2, b, DType.FLOAT64, new SplittableRandom(11));
        double[] table = emb.weight().value().toDoubleArray();
        assertArrayEquals(new double[3], java.util.Arrays.copyOfRange(table, 6, 9), 0.0, "padding row starts at zero");
        int[] ids = {1, 2, 5, 2, 0, 1};
        Var out = emb.forward(ids, 2, 3);
        assertArrayEquals(new int[] {2, 3, 3}, out.shape());
        double[] o = out.value().toDoubleArray();
        for (int n = 0; n < ids.length; n++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(table, ids[n] * 3, ids[n] * 3 + 3), java.util.Arrays.copyOfRange(o, n * 3, n * 3 + 3), 0.0);
        }
        Tensor r = GradCheck.random(b, new SplittableRandom(12), DType.FLOAT64, 2, 3, 3);
        GradCheck.weightedSum(out, r).backward();
        double[] g = emb.weight().grad().toDoubleArray();
        assertArrayEquals(new double[3], java.util.Arrays.copyOfRange(g, 6, 9), 0.0, "padding row gets no gradient");
        // the other rows: sum of upstream rows at their positions
        double[] rr = r.toDoubleArray();
        double[] expected = new double[18];
        for (int n = 0; n < ids.length; n++) {
            if (ids[n] != 2) {
                for (int k = 0; k < 3; k++) {
                    expected[ids[n] * 3 + k] += rr[n * 3 + k];
                }
            }
        }
        assertArrayEquals(expected, g, 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> emb.forward(new int[] {1, 6}));
        assertTrue(e.getMessage().contains("ids[1] = 6") && e.getMessage().contains("[0, 6)"), e.getMessage());
    }

    @Test
    void dropoutScalesKeptElementsAndIsReproducibleFromItsDrawCount() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        Dropout d = new Dropout(0.25, 42);
        Var x = Var.constant(b.full(1.0, DType.FLOAT64, 4000));
        double[] y = d.forward(x).value().toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            if (v == 0) {
                zeros++;
            } else {
                assertEquals(1 / 0.75, v, 1e-12);
            }
        }
        assertEquals(1000, zeros, 90, "about p of the elements are dropped");
        double[] second = d.forward(x).value().toDoubleArray();
        assertFalse(java.util.Arrays.equals(y, second), "each call draws a new mask");
        Dropout resumed = new Dropout(0.25, 42);
        resumed.setDrawCount(1);
        assertArrayEquals(second, resumed.forward(x).value().toDoubleArray(), 0.0, "the k-th mask depends only on seed and k");
        d.eval();
        assertSame(x, d.forward(x));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5, 1));
    }

    @Test
    void cellModulesEqualOneStepOfTheRecurrentLayerAndCheckGradients() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        SplittableRandom rng = new SplittableRandom(13);
        List<CellModule> cells = List.of(new LSTMCell(3, 4, b, DType.FLOAT64, rng), new GRUCell(3, 4, b, DType.FLOAT64, rng),
                new RNNCell(3, 4, b, DType.FLOAT64, rng), new RNNCell(3, 4, true, true, b, DType.FLOAT64, rng));
        for (CellModule cell : cells) {
            String what = cell.typeName() + "(" + cell.cell().name() + ")";
            Recurrent layer = Recurrent.builder(cell.cell(), 3, 4).backend(b).dtype(DType.FLOAT64).seed(1).build();
            Map<String, Tensor> renamed = new LinkedHashMap<>();
            cell.stateDict().forEach((k, v) -> renamed.put(k + "_l0", v));
            layer.loadStateDict(renamed, true);
            Var x = GradCheck.randomLeaf(b, rng, true, 2, 3);
            List<Var> state = new ArrayList<>();
            for (int i = 0; i < cell.cell().stateNames().size(); i++) {
                state.add(GradCheck.randomLeaf(b, rng, true, 2, 4));
            }
            List<Var> next = cell.forward(x, state);
            List<Var> initial = new ArrayList<>();
            for (Var s : state) {
                initial.add(Var.constant(b.reshape(s.value(), 1, 2, 4)));
            }
            Recurrent.Output ref = layer.forward(Var.constant(b.reshape(x.value(), 2, 1, 3)), null, initial);
            for (int i = 0; i < next.size(); i++) {
                double[] expected = ref.finalState().get(i).value().toDoubleArray();
                assertEquals(0, Tensors.relativeError(next.get(i).value().toDoubleArray(), expected), 1e-12, what + " state " + i);
            }
            Map<String, Var> leaves = new LinkedHashMap<>(cell.parameters());
            leaves.put("x", x);
            GradCheck.putAll(leaves, "state", state);
            Tensor r = GradCheck.random(b, rng, DType.FLOAT64, 2, 4);
            GradCheck.check(what, leaves, () -> {
                List<Var> out = cell.forward(x, state);
                Var loss = GradCheck.weightedSum(out.get(0), r);
                for (int i = 1; i < out.size(); i++) {
                    loss = F.add(loss, F.sum(out.get(i)));
                }
                return loss;
            });
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cells.get(0).forward(Var.constant(b.zeros(DType.FLOAT64, 2, 3)), List.of(Var.constant(b.zeros(DType.FLOAT64, 2, 4)))));
        assertTrue(e.getMessage().contains("1 state tensors given, expected 2 [h, c]"), e.getMessage());
    }
}
