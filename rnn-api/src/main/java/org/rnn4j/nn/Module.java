package org.rnn4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * A node of a module tree, as PyTorch's {@code nn.Module}: it owns named parameters and named child
 * modules, and everything else derives from that tree: {@link #parameters()} under PyTorch's dotted
 * names ({@code encoder.rnn.weight_ih_l0}), {@link #stateDict()} / {@link #loadStateDict(Map, boolean)},
 * training mode ({@link #train()} / {@link #eval()}, propagated to every descendant), freezing
 * ({@link #freeze()}) and {@link #summary()}.
 *
 * <p>A subclass registers its parameters and children in its constructor with
 * {@link #registerParameter(String, Var)} and {@link #registerModule(String, Module)}; the registration
 * order is the order of {@link #parameters()} (own parameters first, then each child's, depth first),
 * which is also the order optimizers see. Forward methods are the subclass's own (their arity differs
 * from module to module); single-input modules implement {@link Layer} so that {@link Sequential} can
 * chain them.
 *
 * <p>Not thread-safe while being built or trained; a built module may be read from several threads.
 */
public abstract class Module {
    private final Map<String, Var> ownParameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** A module with no parameters and no children yet. */
    protected Module() {
    }

    // ---- building the tree ----

    /**
     * Registers {@code parameter} under {@code name} (no dots; unique among this module's parameters and
     * children) and returns it.
     *
     * @throws IllegalArgumentException on a null, empty, dotted or duplicate name, or a null or non-leaf Var
     */
    protected final Var registerParameter(String name, Var parameter) {
        checkName(name);
        if (parameter == null) {
            throw new IllegalArgumentException(typeName() + ": parameter '" + name + "' is null");
        }
        if (!parameter.isLeaf()) {
            throw new IllegalArgumentException(typeName() + ": parameter '" + name + "' must be a leaf Var (Var.parameter), got "
                    + parameter);
        }
        ownParameters.put(name, parameter);
        return parameter;
    }

    /**
     * Registers {@code child} under {@code name} (no dots; unique among this module's parameters and
     * children) and returns it. The child takes this module's training mode.
     *
     * @throws IllegalArgumentException on a bad or duplicate name, a null child, or a child that is this
     *                                  module or one of its ancestors
     */
    protected final <M extends Module> M registerModule(String name, M child) {
        checkName(name);
        if (child == null) {
            throw new IllegalArgumentException(typeName() + ": child module '" + name + "' is null");
        }
        if (child == this || ((Module) child).contains(this)) {
            throw new IllegalArgumentException(typeName() + ": child module '" + name + "' would make the module tree a cycle");
        }
        children.put(name, child);
        child.train(training);
        return child;
    }

    private boolean contains(Module m) {
        for (Module c : children.values()) {
            if (c == m || c.contains(m)) {
                return true;
            }
        }
        return false;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(typeName() + ": name '" + name + "' is not a valid module or parameter name;"
                    + " expected a non-empty name without '.'");
        }
        if (ownParameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(typeName() + ": name '" + name + "' is already registered");
        }
    }

    // ---- reading the tree ----

    /**
     * Every parameter of this module and its descendants under its dotted name ({@code rnn.weight_ih_l0}),
     * own parameters first, then each child's in registration order. A parameter shared by two modules
     * appears under both names. The map is a new unmodifiable snapshot.
     */
    public final Map<String, Var> parameters() {
        Map<String, Var> out = new LinkedHashMap<>();
        collect("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Var> out) {
        ownParameters.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, c) -> c.collect(prefix + k + ".", out));
    }

    /** {@link #parameters()} without the frozen ones (those with {@code requiresGrad() == false}), for optimizers. */
    public final Map<String, Var> trainableParameters() {
        Map<String, Var> out = new LinkedHashMap<>();
        parameters().forEach((k, v) -> {
            if (v.requiresGrad()) {
                out.put(k, v);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** This module's own parameters (not its children's), by their local names; unmodifiable. */
    public final Map<String, Var> ownParameters() {
        return Collections.unmodifiableMap(ownParameters);
    }

    /** The direct children by name, in registration order; unmodifiable. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module (under {@code ""}) and every descendant under its dotted path, depth first. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectModules(String path, Map<String, Module> out) {
        out.put(path, this);
        children.forEach((k, c) -> c.collectModules(path.isEmpty() ? k : path + "." + k, out));
    }

    /** Calls {@code action} on this module and every descendant, parents before children. */
    public final void apply(Consumer<Module> action) {
        namedModules().values().forEach(action);
    }

    /** The type shown by {@link #summary()} and stored by model files; the simple class name by default. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /**
     * The hyperparameters that rebuild this module from a model file ({@code org.rnn4j.models.Models}),
     * as JSON values (numbers, strings, booleans), or null when this module cannot be rebuilt (the
     * default). Children are saved on their own and need not appear here. Built-in modules override
     * it; a user module that overrides it registers a {@code ModuleFactory} for its {@link #typeName()}.
     */
    public Map<String, Object> config() {
        return null;
    }

    /** Total number of scalar parameters (a shared parameter counted once). */
    public final long parameterCount() {
        return count(false);
    }

    /** Number of scalar parameters that are not frozen (a shared parameter counted once). */
    public final long trainableParameterCount() {
        return count(true);
    }

    private long count(boolean trainableOnly) {
        long n = 0;
        Map<Var, Boolean> seen = new java.util.IdentityHashMap<>();
        for (Var v : parameters().values()) {
            if (seen.put(v, Boolean.TRUE) == null && (!trainableOnly || v.requiresGrad())) {
                n += v.value().size();
            }
        }
        return n;
    }

    /** Clears the accumulated gradient of every parameter. */
    public final void zeroGrad() {
        parameters().values().forEach(Var::zeroGrad);
    }

    // ---- modes ----

    /**
     * Sets training mode ({@code true}: dropout active) on this module and every descendant, and returns
     * this module. Subclasses that react to the mode override {@link #onTrainingChanged(boolean)}.
     */
    public Module train(boolean on) {
        training = on;
        onTrainingChanged(on);
        for (Module c : children.values()) {
            c.train(on);
        }
        return this;
    }

    /** {@code train(true)}. */
    public final Module train() {
        return train(true);
    }

    /** {@code train(false)}: inference mode (dropout off). */
    public final Module eval() {
        return train(false);
    }

    /** Whether this module is in training mode (the default). */
    public final boolean isTraining() {
        return training;
    }

    /** Hook called by {@link #train(boolean)} before the children are switched; does nothing by default. */
    protected void onTrainingChanged(boolean training) {
    }

    /**
     * Freezes every parameter of this module and its descendants: they stop receiving gradients (and so
     * optimizers leave them unchanged) until {@link #unfreeze()}. Returns this module.
     */
    public final Module freeze() {
        parameters().values().forEach(v -> v.setRequiresGrad(false));
        return this;
    }

    /** Undoes {@link #freeze()} for every parameter of this module and its descendants. Returns this module. */
    public final Module unfreeze() {
        parameters().values().forEach(v -> v.setRequiresGrad(true));
        return this;
    }

    // ---- state dict ----

    /**
     * The value of every parameter under its dotted name (as PyTorch's {@code state_dict()}), in the
     * order of {@link #parameters()}: copies, since optimizer steps update the parameters' own tensors in
     * place, so this snapshot stays valid after later updates.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        parameters().forEach((k, v) -> out.put(k, ComputeBackend.of(v.value()).cast(v.value(), v.dtype())));
        return out;
    }

    /** What {@link #loadStateDict} did not match: names the module expects but the map lacks, and the reverse. */
    public record LoadResult(List<String> missing, List<String> unexpected) {
        /** True when every name matched. */
        public boolean exact() {
            return missing.isEmpty() && unexpected.isEmpty();
        }
    }

    /**
     * Loads parameter values by dotted name, as PyTorch's {@code load_state_dict}. Values are copied
     * (moved to the parameter's backend and cast to its dtype), so the module shares no tensor with
     * {@code state} and later in-place updates of either do not reach the other. Everything is checked before anything changes: a value
     * whose shape differs is always an error; with {@code strict}, so are missing and unexpected names.
     * The error names every problem at once.
     *
     * @return the names that did not match (both lists empty under {@code strict})
     * @throws IllegalArgumentException naming the missing, unexpected and mis-shaped entries
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        if (state == null) {
            throw new IllegalArgumentException(typeName() + ".loadStateDict: state is null");
        }
        Map<String, Var> params = parameters();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (Map.Entry<String, Var> e : params.entrySet()) {
            Tensor t = state.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                misShaped.add(e.getKey() + " (expected " + Shapes.str(e.getValue().shape()) + ", got " + Shapes.str(t.shape()) + ")");
            }
        }
        for (String k : state.keySet()) {
            if (!params.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!misShaped.isEmpty() || strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            StringBuilder sb = new StringBuilder(typeName()).append(".loadStateDict: the state does not fit the module:");
            if (!missing.isEmpty()) {
                sb.append(" missing ").append(quoted(missing)).append(';');
            }
            if (!unexpected.isEmpty()) {
                sb.append(" unexpected ").append(quoted(unexpected)).append(';');
            }
            if (!misShaped.isEmpty()) {
                sb.append(" mis-shaped ").append(String.join(", ", misShaped)).append(';');
            }
            sb.setLength(sb.length() - 1);
            throw new IllegalArgumentException(sb.toString());
        }
        // convert everything first, then assign, so that a failing conversion changes nothing
        Map<Var, Tensor> converted = new java.util.IdentityHashMap<>();
        for (Map.Entry<String, Var> e : params.entrySet()) {
            Tensor t = state.get(e.getKey());
            if (t != null) {
                Var p = e.getValue();
                Tensor v = Tensors.to(t, p.backend());
                converted.put(p, ComputeBackend.of(v).cast(v, p.dtype())); // a copy even in the same dtype
            }
        }
        converted.forEach(Var::set);
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    private static String quoted(List<String> names) {
        List<String> shown = names.size() > 20 ? names.subList(0, 20) : names;
        String s = String.join(", ", shown);
        return names.size() > 20 ? s + " and " + (names.size() - 20) + " more" : s;
    }

    // ---- summary ----

    /**
     * A table of the module tree: one row per module (its dotted path, type, own parameter shapes and
     * own parameter count), then the total and trainable counts, as Keras's {@code summary()}.
     */
    public String summary() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"name", "type", "parameters (own)", "count"});
        for (Map.Entry<String, Module> e : namedModules().entrySet()) {
            Module m = e.getValue();
            StringBuilder shapes = new StringBuilder();
            long own = 0;
            for (Map.Entry<String, Var> p : m.ownParameters.entrySet()) {
                if (shapes.length() > 0) {
                    shapes.append(' ');
                }
                shapes.append(p.getKey()).append(Shapes.str(p.getValue().shape()));
                if (!p.getValue().requiresGrad()) {
                    shapes.append("(frozen)");
                }
                own += p.getValue().value().size();
            }
            rows.add(new String[] {e.getKey().isEmpty() ? "(root)" : e.getKey(), m.typeName(), shapes.toString(), String.format(Locale.ROOT, "%,d", own)});
        }
        int[] w = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < 4; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        String fmt = "%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3] + "s%n";
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            sb.append(String.format(Locale.ROOT, fmt, r[0], r[1], r[2], r[3]));
            if (i == 0) {
                sb.append("-".repeat(w[0] + w[1] + w[2] + w[3] + 6)).append(System.lineSeparator());
            }
        }
        sb.append(String.format(Locale.ROOT, "total parameters: %,d (trainable %,d)%n", parameterCount(), trainableParameterCount()));
        return sb.toString();
    }

    @Override
    public String toString() {
        return typeName() + " (" + parameters().size() + " parameter tensors, " + parameterCount() + " scalars)";
    }
}
