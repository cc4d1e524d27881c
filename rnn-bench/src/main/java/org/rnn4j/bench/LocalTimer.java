package org.rnn4j.bench;

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
     * Runs up to {@code warmup} untimed steps (stopping early, after at least one, once they have taken
     * a third of the budget), estimates the step time from the last one (or, with no warmup, from
     * {@code estimateSeconds}), then times {@code iterations} steps, or as many as fit the budget but at
     * least {@link #MIN_ITERATIONS} (2 when one step takes more than half the budget).
     */
    static Impl.Timing time(Step step, int warmup, int iterations, double budgetSeconds, double estimateSeconds) throws Exception {
        long budgetNs = (long) (budgetSeconds * 1e9);
        long warmStart = System.nanoTime();
        long last = (long) (estimateSeconds * 1e9);
        int done = 0;
        for (int i = 0; i < warmup; i++) {
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
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return new Impl.Timing(ms, done, -1);
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
