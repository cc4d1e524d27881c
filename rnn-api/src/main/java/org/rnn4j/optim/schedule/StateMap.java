package org.rnn4j.optim.schedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.rnn4j.io.HostTensor;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.tensor.Shapes;

/** Writing and validating the scalar entries of a schedule's state map. */
final class StateMap {
    static final String LAST_EPOCH = "last_epoch";
    static final String BASE_LR = "base_lr";
    static final String LAST_LR = "last_lr";
    static final String OPTIMIZER_LR = "optimizer_lr";
    static final String OPTIMIZER_MOMENTUM = "optimizer_momentum";

    private StateMap() {
    }

    static HostTensor of(double v) {
        return HostTensor.ofDoubles(new double[] {v});
    }

    static HostTensor of(long v) {
        return HostTensor.ofLongs(new long[] {v});
    }

    /** Reads and validates the entries of one schedule (under a prefix) from a state map. */
    static final class Reader {
        private final String kind;
        private final Map<String, HostTensor> state;
        private final String prefix;

        /**
         * @param kind the schedule, for messages
         * @param state the whole map
         * @param prefix prepended to every name ("" at the top level)
         */
        Reader(String kind, Map<String, HostTensor> state, String prefix) {
            if (state == null) {
                throw new IllegalArgumentException(kind + ".loadState: state is null; pass a map as returned by state()");
            }
            this.kind = kind;
            this.state = state;
            this.prefix = prefix;
        }

        /** Fails unless the map's keys are exactly {@code expected} (prefixed), naming missing and unexpected ones. */
        static void checkKeys(String kind, Map<String, HostTensor> state, Set<String> expected) {
            if (state == null) {
                throw new IllegalArgumentException(kind + ".loadState: state is null; pass a map as returned by state()");
            }
            Set<String> missing = new LinkedHashSet<>(expected);
            missing.removeAll(state.keySet());
            List<String> unexpected = new ArrayList<>();
            for (String k : state.keySet()) {
                if (!expected.contains(k)) {
                    unexpected.add(k);
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty()) {
                throw new IllegalArgumentException(kind + ".loadState: " + (missing.isEmpty() ? "" : "missing entries " + missing)
                        + (!missing.isEmpty() && !unexpected.isEmpty() ? ", " : "")
                        + (unexpected.isEmpty() ? "" : "unexpected entries " + unexpected) + "; expected exactly " + expected
                        + " (the state of this schedule as state() returns it)");
            }
        }

        private HostTensor entry(String name) {
            String key = prefix + name;
            HostTensor t = state.get(key);
            if (t == null) {
                throw new IllegalArgumentException(kind + ".loadState: missing entry '" + key + "'");
            }
            if (t.size() != 1) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + key + "' has shape " + Shapes.str(t.shape())
                        + ", expected one value (shape [] or [1])");
            }
            return t;
        }

        private double scalar(String name) {
            HostTensor t = entry(name);
            return t.type().isFloatingPoint() ? t.asDoubles()[0] : t.asLongs()[0];
        }

        /** A whole number in {@code [min, max]} (stored as an integer, or as a float holding a whole number). */
        long count(String name, long min, long max) {
            HostTensor t = entry(name);
            long v;
            if (t.type().isFloatingPoint()) {
                double d = t.asDoubles()[0];
                if (d != Math.rint(d) || Math.abs(d) > 9.0e15) {
                    throw new IllegalArgumentException(kind + ".loadState: entry '" + prefix + name + "' = " + d
                            + ", expected a whole number");
                }
                v = (long) d;
            } else {
                v = t.asLongs()[0];
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + prefix + name + "' = " + v
                        + ", expected a value in [" + min + ", " + max + "]");
            }
            return v;
        }

        /** A finite value {@code >= 0}: a learning rate. */
        double rate(String name) {
            double v = scalar(name);
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + prefix + name + "' = " + v
                        + ", expected a finite learning rate >= 0");
            }
            return v;
        }

        /** Any value but NaN (infinities allowed: a plateau schedule's initial best). */
        double number(String name) {
            double v = scalar(name);
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + prefix + name + "' is NaN, expected a number");
            }
            return v;
        }

        /** A momentum value the optimizer accepts (tried and restored, so the optimizer is left as it was). */
        double momentum(String name, Optimizer optimizer) {
            double v = scalar(name);
            double old = optimizer.momentum();
            try {
                optimizer.setMomentum(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(kind + ".loadState: entry '" + prefix + name + "' = " + v
                        + " is not a momentum the optimizer accepts: " + e.getMessage(), e);
            } finally {
                optimizer.setMomentum(old);
            }
            return v;
        }
    }

    /** Prefixes every key of {@code child} with {@code prefix} into {@code out}. */
    static void putAll(Map<String, HostTensor> out, String prefix, Map<String, HostTensor> child) {
        for (Map.Entry<String, HostTensor> e : child.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
    }

    /** The entries of {@code state} under {@code prefix}, with the prefix removed. */
    static Map<String, HostTensor> under(Map<String, HostTensor> state, String prefix) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : state.entrySet()) {
            if (e.getKey() != null && e.getKey().startsWith(prefix)) {
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return out;
    }
}
