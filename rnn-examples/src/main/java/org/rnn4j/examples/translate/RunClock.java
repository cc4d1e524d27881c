package org.rnn4j.examples.translate;

import java.lang.management.ManagementFactory;

/**
 * The time budget of a run ({@code --minutes}), measured on the wall clock or, for measurements on a
 * shared machine, as the CPU time of the whole process (every thread, JIT and GC included): with
 * {@code --threads 1} a run that finishes within N CPU minutes finishes within N wall minutes on one
 * dedicated core.
 */
final class RunClock {
    /** What is measured. */
    enum Kind {
        WALL, CPU
    }

    private final Kind kind;
    private final double totalSeconds;
    private final long startNanos;

    /**
     * Starts the clock now.
     *
     * @param minutes the budget; 0 means none
     */
    RunClock(double minutes, Kind kind) {
        this.kind = kind;
        this.totalSeconds = minutes > 0 ? minutes * 60 : Double.POSITIVE_INFINITY;
        this.startNanos = now();
    }

    private long now() {
        if (kind == Kind.WALL) {
            return System.nanoTime();
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            return os.getProcessCpuTime();
        }
        throw new org.rnn4j.examples.cli.UserError("this JVM does not report the process CPU time; use --clock wall");
    }

    Kind kind() {
        return kind;
    }

    /** Seconds since the start on this clock. */
    double elapsedSeconds() {
        return (now() - startNanos) / 1e9;
    }

    /** The budget in seconds (infinite when there is none). */
    double totalSeconds() {
        return totalSeconds;
    }

    /** Whether the budget is spent, with {@code reserveSeconds} held back for the work that must follow. */
    boolean exhausted(double reserveSeconds) {
        return elapsedSeconds() + reserveSeconds >= totalSeconds;
    }
}
