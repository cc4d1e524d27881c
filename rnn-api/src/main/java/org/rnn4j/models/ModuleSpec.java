package org.rnn4j.models;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.rnn4j.nn.Module;

/**
 * What a {@link ModuleFactory} receives to rebuild one module of a saved model: its type, its
 * configuration (the JSON values of {@link Module#config()}), its children already rebuilt (in the
 * saved order) and its dotted path in the tree (for messages). Typed accessors fail with a
 * {@link ModelFormatException} naming the path, the key, what was found and what was expected.
 */
public record ModuleSpec(String path, String type, Map<String, Object> config, Map<String, Module> children, Models.Budget budget) {

    public ModuleSpec {
        config = Collections.unmodifiableMap(config);
        children = Collections.unmodifiableMap(children);
    }

    /**
     * Declares that the module about to be created holds {@code parameters} scalars; call it before
     * allocating. Throws when the file does not hold that many more weights, so a hostile architecture
     * cannot make the loader allocate more than the file's own size.
     *
     * @throws ModelFormatException when the weights in the file cannot cover {@code parameters}
     */
    public void reserve(long parameters) {
        if (budget != null) {
            budget.reserve(path, type, parameters);
        }
    }

    private Object raw(String key) {
        if (!config.containsKey(key)) {
            throw new ModelFormatException(where() + " lacks the config entry '" + key + "'; it has " + config.keySet());
        }
        return config.get(key);
    }

    private String where() {
        return "module '" + (path.isEmpty() ? "(root)" : path) + "' of type " + type;
    }

    /** A whole number in {@code [min, max]}. */
    public long getLong(String key, long min, long max) {
        Object v = raw(key);
        long l;
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 0x1p53) {
            l = n.longValue();
        } else if (v instanceof String s) {
            try {
                l = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw bad(key, v, "a whole number");
            }
        } else {
            throw bad(key, v, "a whole number");
        }
        if (l < min || l > max) {
            throw bad(key, v, "a whole number in [" + min + ", " + max + "]");
        }
        return l;
    }

    /** A whole number in {@code [min, max]}. */
    public int getInt(String key, int min, int max) {
        return (int) getLong(key, min, max);
    }

    /** A finite number in {@code [min, max]}. */
    public double getDouble(String key, double min, double max) {
        Object v = raw(key);
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < min || n.doubleValue() > max) {
            throw bad(key, v, "a number in [" + min + ", " + max + "]");
        }
        return n.doubleValue();
    }

    /** A boolean. */
    public boolean getBoolean(String key) {
        Object v = raw(key);
        if (!(v instanceof Boolean b)) {
            throw bad(key, v, "true or false");
        }
        return b;
    }

    /** A string, one of {@code allowed} when any are given. */
    public String getString(String key, String... allowed) {
        Object v = raw(key);
        if (!(v instanceof String s) || allowed.length > 0 && !List.of(allowed).contains(s)) {
            throw bad(key, v, allowed.length == 0 ? "a string" : "one of " + List.of(allowed));
        }
        return s;
    }

    /** The rebuilt child {@code name}, which must be a {@code type}. */
    public <M extends Module> M child(String name, Class<M> type) {
        Module m = children.get(name);
        if (m == null || !type.isInstance(m)) {
            throw new ModelFormatException(where() + " needs a child '" + name + "' of type " + type.getSimpleName() + ", found "
                    + (m == null ? "none (children: " + children.keySet() + ")" : m.typeName()));
        }
        return type.cast(m);
    }

    private ModelFormatException bad(String key, Object v, String expected) {
        // JSON numbers arrive as doubles: show a whole one as the integer it is written as
        String shown = v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63 ? Long.toString(d.longValue()) : String.valueOf(v);
        if (shown.length() > 80) {
            shown = shown.substring(0, 80) + "...";
        }
        return new ModelFormatException(where() + ": config entry '" + key + "' is " + shown + ", expected " + expected);
    }
}
