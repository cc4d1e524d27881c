package org.rnn4j.examples.cli;

/** A wall-clock time budget ({@code --minutes}) checked between training steps. */
public final class Budget {
    private final long start = System.nanoTime();
    private final double seconds;
    private final double spentBefore;

    /** @param minutes the budget; 0 or negative means none */
    public Budget(double minutes) {
        this(minutes, 0);
    }

    /**
     * A budget of which {@code spentBeforeSeconds} were already used (by the run a checkpoint continues).
     *
     * @param minutes the budget; 0 or negative means none
     */
    public Budget(double minutes, double spentBeforeSeconds) {
        this.seconds = minutes > 0 ? minutes * 60 : Double.POSITIVE_INFINITY;
        this.spentBefore = spentBeforeSeconds;
    }

    /** Seconds used, including those spent before a resume. */
    public double elapsedSeconds() {
        return spentBefore + (System.nanoTime() - start) / 1e9;
    }

    /**
     * The cosine learning-rate schedule: {@code base} at {@code fraction} 0, falling along a half cosine
     * to {@code floor * base} at fraction 1 and staying there. Fraction 0 throughout gives a constant rate.
     */
    public static double cosine(double base, double fraction, double floor) {
        double f = Math.max(0, Math.min(1, fraction));
        return base * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * f)));
    }

    /** Seconds allowed in total (infinite when there is no budget). */
    public double totalSeconds() {
        return seconds;
    }

    /** Whether the time is up, with {@code reserveSeconds} held back for work that must follow. */
    public boolean exhausted(double reserveSeconds) {
        return elapsedSeconds() + reserveSeconds >= seconds;
    }

    public boolean exhausted() {
        return exhausted(0);
    }
}
