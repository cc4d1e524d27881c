package org.rnn4j.examples.translate;

import java.lang.management.ManagementFactory;

/**
 * The time budget of a run ({@code --minutes}), measured on the wall clock from the JVM's start or, for measurements on a
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
    private final long startWall;
    private final long startCpu = processCpuNanos();

    /**
     * Starts the clock (the wall clock at the JVM's start, the CPU clock now).
     *
     * @param minutes the budget; 0 means none
     */
    RunClock(double minutes, Kind kind) {
        this.kind = kind;
        this.totalSeconds = minutes > 0 ? minutes * 60 : Double.POSITIVE_INFINITY;
        // the wall clock counts from the JVM's start, so that start-up is inside the budget too
        this.startWall = System.nanoTime() - ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
        this.startNanos = kind == Kind.WALL ? startWall : now();
    }

    private long now() {
        if (kind == Kind.WALL) {
            return System.nanoTime();
        }
        long cpu = processCpuNanos();
        if (cpu < 0) {
            throw new org.rnn4j.examples.cli.UserError("this JVM does not report the process CPU time; use --clock wall");
        }
        return cpu;
    }

    /** The process's CPU time in nanoseconds, or -1 when the JVM does not report it. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /** Wall-clock seconds since the start, whatever the kind. */
    double wallSeconds() {
        return (System.nanoTime() - startWall) / 1e9;
    }

    /** CPU seconds of the process since the start (all threads), or NaN when the JVM does not report them. */
    double cpuSeconds() {
        long now = processCpuNanos();
        return now < 0 || startCpu < 0 ? Double.NaN : (now - startCpu) / 1e9;
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
