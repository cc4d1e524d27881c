package org.rnn4j.bench;

import java.lang.management.ManagementFactory;

/** The timing loop of implementations that run in this JVM. */
final class LocalTimer {
    /** Fewest timed steps even when a step is slow (unless fewer iterations were asked for). */
    static final int MIN_ITERATIONS = 3;

    private LocalTimer() {
    }

    /** One step of work; may throw. */
    interface Step {
        void run() throws Exception;
    }

    /**
     * Runs {@code warmup} untimed steps and then more until the warmup has taken {@code warmupSeconds}
     * (the JIT compiles hot code in the background, and on a busy machine late: the cpu backend's vector
     * kernels run about 100x slower until then), stopping early, after at least one, once the warmup has
     * taken a third of the budget; estimates the step time from the last one (or, with no warmup, from
     * {@code estimateSeconds}), then times {@code iterations} steps, or as many as fit the budget but at
     * least {@link #MIN_ITERATIONS} (2 when one step takes more than half the budget). Also counts the
     * heap bytes every thread of the JVM allocated during the timed steps ({@link #allocatedBytes}).
     */
    static Impl.Timing time(Step step, int warmup, double warmupSeconds, int iterations, double budgetSeconds, double estimateSeconds)
            throws Exception {
        long budgetNs = (long) (budgetSeconds * 1e9);
        long warmNs = (long) (warmupSeconds * 1e9);
        long warmStart = System.nanoTime();
        long last = (long) (estimateSeconds * 1e9);
        int done = 0;
        for (int i = 0; i < warmup || (warmup > 0 && System.nanoTime() - warmStart < warmNs); i++) {
            long t0 = System.nanoTime();
            step.run();
            last = System.nanoTime() - t0;
            done++;
            if (System.nanoTime() - warmStart > budgetNs / 3) {
                break;
            }
        }
        int n = plannedIterations(iterations, last, budgetNs);
        double[] ms = new double[n];
        long a0 = allocatedBytes();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        long a1 = allocatedBytes();
        return new Impl.Timing(ms, done, -1, a0 < 0 || a1 < 0 ? -1 : Math.max(0, a1 - a0) / n);
    }

    /**
     * Heap bytes allocated so far by every live thread of the JVM but the benchmark's own memory
     * sampler ({@link MemoryProbe}'s, named {@value MemoryProbe#THREAD_NAME}), from HotSpot's per-thread
     * allocation counters ({@code com.sun.management.ThreadMXBean}); -1 where the JVM does not count
     * them. A thread that ends between two readings takes its count with it, so a difference can only
     * under-count; the backends' compute threads live for the whole run.
     */
    static long allocatedBytes() {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx) || !mx.isThreadAllocatedMemorySupported()
                || !mx.isThreadAllocatedMemoryEnabled()) {
            return -1;
        }
        long[] ids = Thread.getAllStackTraces().keySet().stream().filter(t -> !t.getName().equals(MemoryProbe.THREAD_NAME))
                .mapToLong(Thread::getId).toArray();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(ids)) {
            if (b > 0) {
                sum += b;
            }
        }
        return sum;
    }

    /** {@code iterations}, reduced so that steps of {@code stepNs} fit {@code budgetNs}, but not below the minimum. */
    static int plannedIterations(int iterations, long stepNs, long budgetNs) {
        if (stepNs <= 0 || stepNs * (long) iterations <= budgetNs) {
            return iterations;
        }
        int fit = (int) Math.max(1, budgetNs / stepNs);
        int min = stepNs > budgetNs / 2 ? 2 : MIN_ITERATIONS;
        return Math.max(Math.min(min, iterations), Math.min(iterations, fit));
    }
}
