package org.rnn4j.optim;

import org.rnn4j.spi.ComputeBackend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * Shared machinery of the optimizers: parameter validation, per-parameter state, the step loop and
 * state export/import. Subclasses implement {@link #update} with backend ops only.
 *
 * <p>Updates are in place ({@link ComputeBackend#addScaledInPlace}) on tensors the optimizer owns: the
 * state buffers it made or copied in, and each parameter's value, which it replaces by a private copy
 * the first time it updates it (and again whenever the value was replaced from outside, e.g. by loading
 * a checkpoint). So a parameter's {@link Var#value()} changes in place at every step, as in PyTorch:
 * keep a copy, not the tensor, to remember an earlier value. {@link #state()} returns copies.
 */
abstract class OptimizerBase implements Optimizer {
    static final String STEP = "step";
    private static final Pattern KEY = Pattern.compile("p(\\d+)\\.([A-Za-z_]+)");

    /** Per-parameter state: a step count and named buffers of the parameter's shape, all owned by the optimizer. */
    static final class State {
        long step;
        final Map<String, Tensor> buffers = new LinkedHashMap<>();
        /** The parameter value this optimizer made and may update in place. */
        private Tensor owned;

        Tensor get(String name) {
            return buffers.get(name);
        }

        void put(String name, Tensor t) {
            buffers.put(name, t);
        }
    }

    final String kind;
    private final List<Var> params;
    private State[] states;
    double lr;

    OptimizerBase(String kind, Collection<Var> params, double lr) {
        this.kind = kind;
        this.params = Collections.unmodifiableList(checkParams(kind, params));
        this.states = new State[this.params.size()];
        this.lr = checkLr(kind, lr);
    }

    // ---- hooks ----

    /** Updates parameter {@code i} (value {@code p.value()}) from its validated gradient {@code g} and its state. */
    abstract void update(int i, Var p, Tensor g, State state);

    /** Fresh state for parameter {@code i} (before its first step). */
    abstract State newState(Var p);

    /** The names this configuration keeps per parameter ({@code step} included where counted). */
    abstract List<String> stateNames();

    /** Whether every name of {@link #stateNames()} must be present for a parameter with any entry. */
    boolean stateComplete() {
        return true;
    }

    /** Whether state is created eagerly for every parameter (Adagrad). */
    boolean eagerState() {
        return false;
    }

    // ---- Optimizer ----

    @Override
    public final void step() {
        List<Var> ps = params;
        Tensor[] grads = new Tensor[ps.size()];
        for (int i = 0; i < ps.size(); i++) {
            Var p = ps.get(i);
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            Tensor v = p.value();
            if (g.backend() != v.backend() || g.dtype() != v.dtype() || !Arrays.equals(g.shape(), v.shape())) {
                throw new IllegalStateException(kind + ".step: the gradient of parameter " + i + " is " + g.dtype()
                        + Shapes.str(g.shape()) + " on backend '" + g.backend().name() + "' but the parameter is " + v.dtype()
                        + Shapes.str(v.shape()) + " on backend '" + v.backend().name() + "'; expected them to agree");
            }
            grads[i] = g;
        }
        try (Grad.Scope off = Grad.disabled()) {
            for (int i = 0; i < ps.size(); i++) {
                if (grads[i] == null) {
                    continue;
                }
                Var p = ps.get(i);
                if (states[i] == null) {
                    states[i] = newState(p);
                }
                update(i, p, grads[i], states[i]);
            }
        }
    }

    @Override
    public final void zeroGrad() {
        for (Var p : params) {
            p.zeroGrad();
        }
    }

    @Override
    public final List<Var> parameters() {
        return params;
    }

    @Override
    public final double lr() {
        return lr;
    }

    @Override
    public final void setLr(double lr) {
        this.lr = checkLr(kind, lr);
    }

    /**
     * The value of {@code p} as a tensor this optimizer may update in place: a private copy set into
     * {@code p} the first time, and again whenever the value was replaced from outside.
     */
    static Tensor ownedValue(Var p, State st) {
        Tensor v = p.value();
        if (st.owned != v) {
            v = copy(v, v.dtype());
            p.set(v);
            st.owned = v;
        }
        return v;
    }

    /** A private copy of {@code t} in {@code dtype} (on t's backend). */
    private static Tensor copy(Tensor t, DType dtype) {
        return ComputeBackend.of(t).cast(t, dtype);
    }

    /** Creates the state of every parameter now (called by subclasses whose state PyTorch creates in the constructor). */
    final void initAllStates() {
        for (int i = 0; i < states.length; i++) {
            if (states[i] == null) {
                states[i] = newState(params.get(i));
            }
        }
    }

    @Override
    public final Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> names = stateNames();
        for (int i = 0; i < states.length; i++) {
            State st = states[i];
            if (st == null) {
                continue;
            }
            for (String name : names) {
                if (name.equals(STEP)) {
                    ComputeBackend k = ComputeBackend.of(params.get(i).backend());
                    DType dt = k.supports(DType.FLOAT64) ? DType.FLOAT64 : params.get(i).dtype();
                    out.put("p" + i + "." + STEP, k.fromDoubles(new double[] {st.step}, dt));
                } else if (st.get(name) != null) {
                    out.put("p" + i + "." + name, copy(st.get(name), st.get(name).dtype()));
                }
            }
        }
        return out;
    }

    @Override
    public final void loadState(Map<String, Tensor> state) {
        if (state == null) {
            throw new IllegalArgumentException(kind + ".loadState: state is null; pass a map as returned by state()");
        }
        List<String> allowed = stateNames();
        State[] fresh = new State[params.size()];
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            Matcher m = key == null ? null : KEY.matcher(key);
            if (m == null || !m.matches()) {
                throw new IllegalArgumentException(kind + ".loadState: unrecognised entry '" + key
                        + "'; expected names p{index}.{name} with name in " + allowed);
            }
            int idx;
            try {
                idx = Integer.parseInt(m.group(1));
            } catch (NumberFormatException ex) {
                idx = -1;
            }
            if (idx < 0 || idx >= params.size()) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + key + "' names parameter " + m.group(1)
                        + " but this optimizer has " + params.size() + " parameters (indices 0.." + (params.size() - 1) + ")");
            }
            String name = m.group(2);
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + key + "': this " + describe()
                        + " keeps no state named '" + name + "'; expected names in " + allowed);
            }
            if (t == null) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + key + "' is null");
            }
            Var p = params.get(idx);
            State st = fresh[idx] == null ? (fresh[idx] = new State()) : fresh[idx];
            if (name.equals(STEP)) {
                if (t.size() != 1) {
                    throw new IllegalArgumentException(kind + ".loadState: entry '" + key + "' has shape " + Shapes.str(t.shape())
                            + ", expected a step count of one element (shape [] or [1])");
                }
                double s = t.item();
                if (!(s >= 0) || s != Math.rint(s) || s > 1e15) {
                    throw new IllegalArgumentException(kind + ".loadState: entry '" + key + "' = " + s
                            + ", expected a non-negative whole number of steps");
                }
                st.step = (long) s;
                st.put(STEP, t); // marks presence; removed below
            } else {
                if (!Arrays.equals(t.shape(), p.shape())) {
                    throw new IllegalArgumentException(kind + ".loadState: entry '" + key + "' has shape " + Shapes.str(t.shape())
                            + " but parameter " + idx + " has shape " + Shapes.str(p.shape()) + "; expected equal shapes");
                }
                st.put(name, t);
            }
        }
        for (int i = 0; i < fresh.length; i++) {
            if (fresh[i] == null) {
                continue;
            }
            if (stateComplete()) {
                Set<String> missing = new LinkedHashSet<>(allowed);
                missing.removeAll(fresh[i].buffers.keySet());
                if (!missing.isEmpty()) {
                    List<String> keys = new ArrayList<>();
                    for (String n : missing) {
                        keys.add("p" + i + "." + n);
                    }
                    throw new IllegalArgumentException(kind + ".loadState: the state of parameter " + i + " is incomplete: missing "
                            + keys + "; this " + describe() + " keeps " + allowed + " per parameter");
                }
            }
        }
        // every entry is valid: copy (moved and cast) to the parameters' backend and dtype, then swap in
        for (int i = 0; i < fresh.length; i++) {
            if (fresh[i] == null) {
                continue;
            }
            fresh[i].buffers.remove(STEP);
            Var p = params.get(i);
            for (Map.Entry<String, Tensor> b : fresh[i].buffers.entrySet()) {
                b.setValue(copy(Tensors.to(b.getValue(), p.backend()), p.dtype()));
            }
        }
        for (int i = 0; i < fresh.length; i++) {
            if (fresh[i] == null && eagerState()) {
                fresh[i] = newState(params.get(i));
            }
        }
        states = fresh;
    }

    /** The optimizer and its hyper-parameters, for messages. */
    abstract String describe();

    @Override
    public String toString() {
        return describe() + " over " + params.size() + " parameters";
    }

    // ---- helpers ----

    static Tensor zerosLike(Var p) {
        return p.backend().zeros(p.dtype(), p.shape());
    }

    static double checkLr(String kind, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(kind + ": invalid learning rate lr = " + lr + "; expected a finite value >= 0");
        }
        return lr;
    }

    static double checkNonNegative(String kind, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(kind + ": invalid " + name + " = " + v + "; expected a finite value >= 0");
        }
        return v;
    }

    static double checkBeta(String kind, String name, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(kind + ": invalid " + name + " = " + v + "; expected a value in [0, 1)");
        }
        return v;
    }

    private static List<Var> checkParams(String kind, Collection<Var> params) {
        if (params == null) {
            throw new IllegalArgumentException(kind + ": params is null; pass e.g. module.parameters().values()");
        }
        List<Var> list = new ArrayList<>(params);
        if (list.isEmpty()) {
            throw new IllegalArgumentException(kind + ": got an empty parameter list; pass e.g. module.parameters().values()");
        }
        Map<Var, Integer> seen = new IdentityHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            Var p = list.get(i);
            if (p == null) {
                throw new IllegalArgumentException(kind + ": params[" + i + "] is null");
            }
            if (!p.isLeaf()) {
                throw new IllegalArgumentException(kind + ": params[" + i + "] (" + p + ") is not a leaf; can only optimize"
                        + " leaves created with Var.parameter");
            }
            if (!p.requiresGrad()) {
                throw new IllegalArgumentException(kind + ": params[" + i + "] (" + p + ") does not require a gradient; create"
                        + " trainable values with Var.parameter");
            }
            Integer prev = seen.put(p, i);
            if (prev != null) {
                throw new IllegalArgumentException(kind + ": params[" + i + "] is the same Var as params[" + prev
                        + "]; each parameter may appear only once");
            }
        }
        return list;
    }
}
