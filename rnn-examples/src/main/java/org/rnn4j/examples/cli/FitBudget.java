package org.rnn4j.examples.cli;

import java.util.Locale;
import org.rnn4j.train.Callback;
import org.rnn4j.train.Fit;

/**
 * A {@link Fit} callback that fits training into a command's wall-clock {@link Budget}: it stops the
 * loop when the budget, less a reserve for the work that must follow (final evaluation, saving), is
 * spent, and drives the learning rate: a linear warm-up over the first steps, then a cosine decay to
 * {@code floor * lr} reached at the end of the planned steps or of the time left, whichever comes first.
 * The reserve may be raised while training (once an evaluation has been timed).
 */
public final class FitBudget implements Callback {
    private final Budget budget;
    private final double lr;
    private final double floor;
    private final long warmupSteps;
    private volatile double reserveSeconds;
    private double startSeconds;

    /**
     * @param budget the command's budget (started when the command started)
     * @param lr the peak learning rate
     * @param floor the final rate as a fraction of {@code lr}, in {@code [0, 1]}
     * @param warmupSteps steps of linear warm-up from {@code lr / warmupSteps} (0 for none)
     * @param reserveSeconds seconds kept for the work after training
     */
    public FitBudget(Budget budget, double lr, double floor, long warmupSteps, double reserveSeconds) {
        this.budget = budget;
        this.lr = lr;
        this.floor = floor;
        this.warmupSteps = warmupSteps;
        this.reserveSeconds = reserveSeconds;
    }

    /** Keeps at least {@code seconds} for the work after training. */
    public void reserveAtLeast(double seconds) {
        reserveSeconds = Math.max(reserveSeconds, seconds);
    }

    /** The learning rate after {@code step} steps of {@code planned} (planned -1: unknown). */
    double rate(Fit.Context ctx, long step) {
        if (step < warmupSteps) {
            return lr * (step + 1) / warmupSteps;
        }
        double fraction = 0;
        long planned = ctx.plannedSteps();
        if (planned > warmupSteps) {
            fraction = (step - warmupSteps) / (double) (planned - warmupSteps);
        }
        double trainSeconds = budget.totalSeconds() - startSeconds - reserveSeconds;
        if (Double.isFinite(trainSeconds) && trainSeconds > 0) {
            fraction = Math.max(fraction, (budget.elapsedSeconds() - startSeconds) / trainSeconds);
        }
        return Budget.cosine(lr, fraction, floor);
    }

    @Override
    public void onFitStart(Fit.Context ctx) {
        startSeconds = budget.elapsedSeconds();
        ctx.optimizer().setLr(rate(ctx, ctx.step()));
    }

    @Override
    public void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
        if (budget.exhausted(reserveSeconds)) {
            ctx.requestStop(String.format(Locale.ROOT, "time budget of %s spent, %.0f s kept for evaluation",
                    org.rnn4j.train.Progress.time(budget.totalSeconds()), reserveSeconds));
            return;
        }
        ctx.optimizer().setLr(rate(ctx, step));
    }
}
