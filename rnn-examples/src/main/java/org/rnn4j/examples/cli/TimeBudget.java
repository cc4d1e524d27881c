package org.rnn4j.examples.cli;

import java.util.Locale;
import org.rnn4j.train.Callback;
import org.rnn4j.train.Fit;
import org.rnn4j.train.Progress;

/**
 * The commands' {@code --minutes} budget and {@code --schedule cosine} as a {@link Fit} callback. The
 * schedules of {@code org.rnn4j.optim.schedule} count steps; this one also counts time: before each
 * step the rate is {@link Budget#cosine lr * cosine(f)} down to 5% of {@code lr}, where {@code f} is the
 * larger of the share of the planned steps taken and the share of the training time spent (Fit's clock,
 * which a resumed run continues), so the decay ends with whichever limit comes first. Once the training
 * time plus a reserve for the work that follows (final evaluation, sampling) reaches the budget, it
 * stops the loop; the reserve is raised once an evaluation has been timed.
 */
public final class TimeBudget implements Callback {
    private final double seconds;
    private final double lr;
    private final boolean cosine;
    private final long plannedSteps;
    private volatile double reserve;

    /**
     * @param minutes the budget; 0 for none
     * @param lr the learning rate (the start of the decay)
     * @param cosine false for a constant rate
     * @param plannedSteps steps over which the rate decays when the time does not end first; 0 for none
     * @param reserveSeconds seconds kept for the work after training
     */
    public TimeBudget(double minutes, double lr, boolean cosine, long plannedSteps, double reserveSeconds) {
        this.seconds = minutes > 0 ? minutes * 60 : Double.POSITIVE_INFINITY;
        this.lr = lr;
        this.cosine = cosine;
        this.plannedSteps = plannedSteps;
        this.reserve = reserveSeconds;
    }

    /** Keeps {@code reserveSeconds} for the work after training. */
    public void reserve(double reserveSeconds) {
        this.reserve = reserveSeconds;
    }

    private void setRate(Fit.Context ctx) {
        if (cosine) {
            double f = plannedSteps > 0 ? ctx.step() / (double) plannedSteps : 0;
            f = Math.max(f, ctx.seconds() / Math.max(1e-9, seconds - reserve));
            ctx.optimizer().setLr(Budget.cosine(lr, f, 0.05));
        }
    }

    @Override
    public void onFitStart(Fit.Context ctx) {
        setRate(ctx);
    }

    @Override
    public void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
        if (ctx.seconds() + reserve >= seconds) {
            ctx.requestStop(String.format(Locale.ROOT, "time budget of %s spent, %.0f s kept for what follows", Progress.time(seconds), reserve));
        } else {
            setRate(ctx);
        }
    }
}
