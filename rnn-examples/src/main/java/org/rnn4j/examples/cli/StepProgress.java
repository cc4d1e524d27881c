package org.rnn4j.examples.cli;

import org.rnn4j.train.Callback;
import org.rnn4j.train.Fit;
import org.rnn4j.train.Progress;

/**
 * A progress line on stderr for every step of a {@link Fit} loop, without a result line per epoch: for
 * loops whose epochs are single full-batch steps ({@code forecast}) or one long stream ({@code custom-cell}).
 */
public final class StepProgress implements Callback {
    private final Progress progress;

    public StepProgress(Progress progress) {
        this.progress = progress;
    }

    /** Prints a result line on stdout, clearing the progress line first; the rate restarts (the line's evaluation paused training). */
    public void result(String line) {
        progress.result(line);
        progress.resetRate();
    }

    @Override
    public void onFitStart(Fit.Context ctx) {
        progress.totalSteps(planned(ctx)).budgetSeconds(ctx.budgetSeconds());
    }

    @Override
    public void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
        long planned = planned(ctx);
        progress.step("step " + step + (planned > 0 ? "/" + planned : ""), step, loss, examples);
    }

    /** The planned steps, or -1 when unknown or effectively unlimited. */
    private static long planned(Fit.Context ctx) {
        long p = ctx.plannedSteps();
        return p > 0 && p < Long.MAX_VALUE / 2 ? p : -1;
    }

    @Override
    public void onFitEnd(Fit.Context ctx, Fit.Result result) {
        progress.close();
    }
}
