package org.rnn4j.train;

import java.util.Map;

/**
 * Stops {@link Fit} when a monitored figure has not improved for {@code patience} epochs (Keras's
 * {@code EarlyStopping}, DL4J's score-improvement condition). Improvement means lower by more than
 * {@code minDelta} when minimising ({@code val_loss}), higher when maximising ({@code val_accuracy}).
 */
public final class EarlyStopping implements Callback {
    private final String monitor;
    private final int patience;
    private final boolean maximize;
    private final double minDelta;
    private double best = Double.NaN;
    private int wait;

    /**
     * @param monitor  the epoch figure to watch, e.g. {@code val_loss}
     * @param patience epochs without improvement before stopping, >= 1
     * @param maximize whether higher is better
     * @param minDelta the least change that counts as an improvement, >= 0
     */
    public EarlyStopping(String monitor, int patience, boolean maximize, double minDelta) {
        if (monitor == null || monitor.isBlank() || patience < 1 || !(minDelta >= 0)) {
            throw new IllegalArgumentException("EarlyStopping: monitor '" + monitor + "', patience " + patience + ", minDelta " + minDelta
                    + "; expected a figure name, patience >= 1 and minDelta >= 0");
        }
        this.monitor = monitor;
        this.patience = patience;
        this.maximize = maximize;
        this.minDelta = minDelta;
    }

    @Override
    public void onEpochEnd(Fit.Context ctx, long epoch, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null) {
            throw new IllegalStateException("EarlyStopping monitors '" + monitor + "' but the epoch's figures are " + logs.keySet());
        }
        boolean improved = Double.isNaN(best) || (maximize ? v > best + minDelta : v < best - minDelta);
        if (improved) {
            best = v;
            wait = 0;
        } else if (++wait >= patience) {
            ctx.requestStop("early stopping: " + monitor + " did not improve on " + best + " for " + patience + " epochs");
        }
    }

    /** The best value seen so far (NaN before the first epoch). */
    public double best() {
        return best;
    }
}
