package org.rnn4j.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.testing.RefBackend;

/** State export and import, skipped parameters, and validation of hyper-parameters and arguments. */
class OptimizerStateTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    private static Tensor random(Random r, DType dt, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextGaussian();
        }
        return B.fromDoubles(a, dt, shape);
    }

    private static List<Var> params(long seed) {
        Random r = new Random(seed);
        return List.of(Var.parameter(random(r, DType.FLOAT64, 3, 2)), Var.parameter(random(r, DType.FLOAT64, 4)));
    }

    static Stream<Function<List<Var>, Optimizer>> optimizers() {
        return Stream.of(
            ps -> SGD.builder(ps).lr(0.1).momentum(0.9).build(),
            ps -> SGD.builder(ps).lr(0.1).build(),
            ps -> Adam.builder(ps).lr(0.01).amsgrad(true).build(),
            ps -> AdamW.builder(ps).lr(0.01).build(),
            ps -> RMSprop.builder(ps).momentum(0.5).centered(true).build(),
            ps -> Adagrad.builder(ps).lr(0.1).lrDecay(0.01).build());
    }

    private static void setGrads(List<Var> ps, Random r) {
        for (Var p : ps) {
            p.setGrad(random(r, p.dtype(), p.shape()));
        }
    }

    /** A checkpoint of the state, loaded into a fresh optimizer over copies of the parameters, continues identically. */
    @ParameterizedTest
    @MethodSource("optimizers")
    void stateRoundTripContinuesExactly(Function<List<Var>, Optimizer> make) {
        List<Var> a = params(1);
        Optimizer oa = make.apply(a);
        Random r = new Random(7);
        for (int s = 0; s < 3; s++) {
            setGrads(a, r);
            oa.step();
        }
        Map<String, Tensor> state = oa.state();
        List<Var> b = new ArrayList<>();
        for (Var p : a) {
            b.add(Var.parameter(Tensors.copy(p.value()))); // a copy: the optimizers update their parameters in place
        }
        Optimizer ob = make.apply(b);
        ob.loadState(state);
        assertEquals(state.keySet(), ob.state().keySet());
        for (int s = 0; s < 3; s++) {
            Random ra = new Random(100 + s);
            Random rb = new Random(100 + s);
            setGrads(a, ra);
            setGrads(b, rb);
            oa.step();
            ob.step();
        }
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).value().toDoubleArray(), b.get(i).value().toDoubleArray(), "parameter " + i);
        }
    }

    /**
     * Steps update each parameter's tensor in place: the first step swaps in a private copy (the tensor the
     * parameter held is left alone), later steps write into it; exported state is a copy; a value set from
     * outside is copied again before it is updated.
     */
    @ParameterizedTest
    @MethodSource("optimizers")
    void updatesAreInPlaceOnTensorsTheOptimizerOwns(Function<List<Var>, Optimizer> make) {
        List<Var> ps = params(5);
        Var p = ps.get(0);
        Tensor given = p.value();
        double[] initial = given.toDoubleArray();
        Optimizer opt = make.apply(ps);
        Random r = new Random(11);
        setGrads(ps, r);
        opt.step();
        Tensor owned = p.value();
        assertTrue(owned != given, "the first step updates a private copy");
        assertArrayEquals(initial, given.toDoubleArray(), "the tensor the parameter held before is not modified");
        Map<String, Tensor> exported = opt.state();
        Map<String, double[]> exportedValues = new HashMap<>();
        exported.forEach((k, v) -> exportedValues.put(k, v.toDoubleArray()));
        double[] afterOne = owned.toDoubleArray();
        setGrads(ps, r);
        opt.step();
        assertSame(owned, p.value(), "later steps update the same tensor");
        assertTrue(!java.util.Arrays.equals(afterOne, owned.toDoubleArray()), "the second step changed the parameter");
        exported.forEach((k, v) -> assertArrayEquals(exportedValues.get(k), v.toDoubleArray(), k + ": exported state is a copy"));
        Tensor outside = random(new Random(12), DType.FLOAT64, 3, 2);
        double[] outsideValues = outside.toDoubleArray();
        p.set(outside);
        setGrads(ps, r);
        opt.step();
        assertArrayEquals(outsideValues, outside.toDoubleArray(), "a value set from outside is copied before the update");
    }

    @Test
    void stateNamesAndStepCount() {
        List<Var> ps = params(2);
        Optimizer adam = Adam.builder(ps).amsgrad(true).build();
        assertTrue(adam.state().isEmpty(), "no state before the first step");
        Random r = new Random(3);
        setGrads(ps, r);
        adam.step();
        adam.step();
        Map<String, Tensor> s = adam.state();
        assertEquals(List.of("p0.step", "p0.exp_avg", "p0.exp_avg_sq", "p0.max_exp_avg_sq", "p1.step", "p1.exp_avg",
                "p1.exp_avg_sq", "p1.max_exp_avg_sq"), new ArrayList<>(s.keySet()));
        assertEquals(2.0, s.get("p0.step").item());
        assertEquals(0, s.get("p0.step").rank());
        assertArrayEquals(new int[] {3, 2}, s.get("p0.exp_avg").shape());

        Optimizer ada = Adagrad.builder(ps).initialAccumulatorValue(0.5).build();
        Map<String, Tensor> as = ada.state();
        assertEquals(List.of("p0.step", "p0.sum", "p1.step", "p1.sum"), new ArrayList<>(as.keySet()));
        assertEquals(0.0, as.get("p1.step").item());
        assertEquals(0.5, as.get("p1.sum").toDoubleArray()[3]);

        Optimizer rms = RMSprop.builder(ps).centered(true).momentum(0.1).build();
        rms.step();
        assertEquals(List.of("p0.step", "p0.square_avg", "p0.momentum_buffer", "p0.grad_avg", "p1.step", "p1.square_avg",
                "p1.momentum_buffer", "p1.grad_avg"), new ArrayList<>(rms.state().keySet()));
        Optimizer sgd = SGD.builder(ps).momentum(0.9).build();
        sgd.step();
        assertEquals(List.of("p0.momentum_buffer", "p1.momentum_buffer"), new ArrayList<>(sgd.state().keySet()));
    }

    @Test
    void parameterWithoutGradientIsSkipped() {
        List<Var> ps = params(4);
        Tensor before = ps.get(1).value();
        Optimizer opt = Adam.builder(ps).lr(0.1).build();
        ps.get(0).setGrad(B.full(1, DType.FLOAT64, 3, 2));
        opt.step();
        assertSame(before, ps.get(1).value());
        assertTrue(opt.state().containsKey("p0.step"));
        assertTrue(!opt.state().containsKey("p1.step"), "no state for a parameter that never had a gradient");
        opt.zeroGrad();
        assertNull(ps.get(0).grad());
    }

    @Test
    void stepRunsWithoutRecordingAndKeepsDtype() {
        Var p = Var.parameter(B.full(1, DType.FLOAT32, 2, 2));
        Var loss = F.sum(F.mul(p, p));
        loss.backward();
        Optimizer opt = SGD.builder(List.of(p)).lr(0.25).build();
        opt.step();
        assertTrue(p.isLeaf());
        assertEquals(DType.FLOAT32, p.value().dtype());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5}, p.value().toDoubleArray());
        opt.setLr(0.5);
        assertEquals(0.5, opt.lr());
    }

    private static void fails(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void loadStateValidatesBeforeChangingAnything() {
        List<Var> ps = params(5);
        Optimizer opt = Adam.builder(ps).build();
        setGrads(ps, new Random(1));
        opt.step();
        Map<String, Tensor> good = opt.state();
        Map<String, Tensor> bad = new HashMap<>(good);
        bad.put("p0.momentum_buffer", B.zeros(DType.FLOAT64, 3, 2));
        fails(() -> opt.loadState(bad), "p0.momentum_buffer", "[step, exp_avg, exp_avg_sq]");
        Map<String, Tensor> bad2 = new HashMap<>(good);
        bad2.put("p5.exp_avg", B.zeros(DType.FLOAT64, 3, 2));
        fails(() -> opt.loadState(bad2), "p5.exp_avg", "2 parameters");
        Map<String, Tensor> bad3 = new HashMap<>(good);
        bad3.put("p1.exp_avg", B.zeros(DType.FLOAT64, 3, 2));
        fails(() -> opt.loadState(bad3), "p1.exp_avg", "shape [3, 2]", "shape [4]");
        Map<String, Tensor> bad4 = new HashMap<>(good);
        bad4.remove("p1.exp_avg_sq");
        fails(() -> opt.loadState(bad4), "incomplete", "p1.exp_avg_sq");
        Map<String, Tensor> bad5 = new HashMap<>(good);
        bad5.put("p0.step", B.fromDoubles(new double[] {1.5}, DType.FLOAT64));
        fails(() -> opt.loadState(bad5), "p0.step", "1.5");
        Map<String, Tensor> bad6 = new HashMap<>(good);
        bad6.put("exp_avg", B.zeros(DType.FLOAT64, 3, 2));
        fails(() -> opt.loadState(bad6), "unrecognised entry 'exp_avg'");
        fails(() -> opt.loadState(null), "state is null");
        // nothing changed: the state is still the good one
        Map<String, Tensor> after = opt.state();
        assertEquals(good.keySet(), after.keySet());
        for (String k : good.keySet()) {
            assertArrayEquals(good.get(k).toDoubleArray(), after.get(k).toDoubleArray(), k);
        }
        // a float32 copy of the state loads into float64 parameters (cast)
        Map<String, Tensor> f32 = new HashMap<>();
        good.forEach((k, v) -> f32.put(k, B.cast(v, DType.FLOAT32)));
        opt.loadState(f32);
        assertEquals(DType.FLOAT64, opt.state().get("p0.exp_avg").dtype());
        // an empty map resets the state
        opt.loadState(Map.of());
        assertTrue(opt.state().isEmpty());
    }

    @Test
    void hyperParameterValidation() {
        List<Var> ps = params(6);
        fails(() -> SGD.builder(ps).lr(-0.1).build(), "SGD", "lr = -0.1");
        fails(() -> SGD.builder(ps).lr(Double.NaN).build(), "lr = NaN");
        fails(() -> SGD.builder(ps).nesterov(true).build(), "Nesterov", "momentum > 0", "dampening = 0");
        fails(() -> SGD.builder(ps).momentum(0.9).dampening(0.1).nesterov(true).build(), "dampening = 0.1");
        fails(() -> SGD.builder(ps).momentum(-1).build(), "momentum = -1.0");
        fails(() -> Adam.builder(ps).betas(1.0, 0.999).build(), "beta1 = 1.0", "[0, 1)");
        fails(() -> AdamW.builder(ps).betas(0.9, -0.1).build(), "AdamW", "beta2 = -0.1");
        fails(() -> Adam.builder(ps).eps(-1e-8).build(), "eps");
        fails(() -> Adam.builder(ps).weightDecay(-1).build(), "weightDecay = -1.0");
        fails(() -> RMSprop.builder(ps).alpha(-0.5).build(), "alpha = -0.5");
        fails(() -> Adagrad.builder(ps).lrDecay(-1).build(), "lrDecay = -1.0");
        fails(() -> Adagrad.builder(ps).initialAccumulatorValue(-1).build(), "initialAccumulatorValue");
        fails(() -> Adam.builder(List.of()).build(), "empty parameter list");
        fails(() -> Adam.builder(null).build(), "params is null");
        fails(() -> Adam.builder(List.of(ps.get(0), ps.get(1), ps.get(0))).build(), "params[2] is the same Var as params[0]");
        fails(() -> Adam.builder(List.of(Var.constant(B.zeros(DType.FLOAT64, 2)))).build(), "params[0]",
                "does not require a gradient");
        Var computed = F.scale(ps.get(0), 2);
        fails(() -> Adam.builder(List.of(computed)).build(), "params[0]", "not a leaf");
        Optimizer opt = SGD.builder(ps).build();
        fails(() -> opt.setLr(-1), "lr = -1.0");
    }

    @Test
    void gradientOfAnotherDtypeIsRejectedBeforeAnyUpdate() {
        Var p0 = Var.parameter(B.zeros(DType.FLOAT64, 2));
        Var p1 = Var.parameter(B.zeros(DType.FLOAT64, 2));
        p0.setGrad(B.full(1, DType.FLOAT64, 2));
        p1.setGrad(B.full(1, DType.FLOAT32, 2));
        Tensor before = p0.value();
        Optimizer opt = SGD.builder(List.of(p0, p1)).lr(1).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
        assertTrue(e.getMessage().contains("parameter 1") && e.getMessage().contains("FLOAT32"), e.getMessage());
        assertSame(before, p0.value());
    }
}
