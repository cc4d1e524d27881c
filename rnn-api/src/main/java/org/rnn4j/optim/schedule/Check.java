package org.rnn4j.optim.schedule;

/** Argument checks shared by the schedules. */
final class Check {
    private Check() {
    }

    /** A finite multiplicative factor {@code >= 0}. */
    static double factor(String kind, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(kind + ": " + name + " = " + v + ", expected a finite value >= 0");
        }
        return v;
    }

    /** A finite value {@code >= 0} (a learning rate). */
    static double rate(String kind, String name, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(kind + ": " + name + " = " + v + ", expected a finite learning rate >= 0");
        }
        return v;
    }

    /** A count {@code >= min}. */
    static long atLeast(String kind, String name, long v, long min) {
        if (v < min) {
            throw new IllegalArgumentException(kind + ": " + name + " = " + v + ", expected >= " + min);
        }
        return v;
    }
}
