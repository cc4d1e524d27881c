package org.rnn4j.examples.cli;

/** A wall-clock time budget ({@code --minutes}) checked between training steps. */
public final class Budget {
    private final long start = System.nanoTime();
    private final double seconds;

    /** @param minutes the budget; 0 or negative means none */
    public Budget(double minutes) {
        this.seconds = minutes > 0 ? minutes * 60 : Double.POSITIVE_INFINITY;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
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
