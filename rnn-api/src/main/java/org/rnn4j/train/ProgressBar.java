package org.rnn4j.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The progress bar of {@link Fit} as a {@link Callback}: a {@link Progress} line on {@code err}
 * (epoch/step, smoothed loss, examples per second, elapsed time, ETA; redrawn in place on a terminal,
 * plain lines elsewhere), each epoch's figures as one result line on {@code out}, and the stop reason.
 */
public final class ProgressBar implements Callback {
    private final PrintStream err;
    private final PrintStream out;
    private final String task;
    private Progress progress;

    /** Reports on {@code err} and prints epoch lines on {@code out}; {@code task} prefixes the bar. */
    public ProgressBar(PrintStream err, PrintStream out, String task) {
        this.err = err;
        this.out = out;
        this.task = task;
    }

    @Override
    public void onFitStart(Fit.Context ctx) {
        progress = new Progress(err, out, task, System.console() != null).totalSteps(ctx.plannedSteps()).budgetSeconds(ctx.budgetSeconds());
    }

    @Override
    public void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
        progress.step("epoch " + (ctx.epoch() + 1) + " step " + step, step, loss, examples);
    }

    @Override
    public void onEpochEnd(Fit.Context ctx, long epoch, Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder("epoch ").append(epoch + 1);
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            if (!e.getKey().equals("epoch")) {
                double v = e.getValue();
                sb.append("  ").append(e.getKey()).append(' ').append(
                        e.getKey().equals("step") ? Long.toString((long) v) : e.getKey().equals("seconds") ? Progress.time(v)
                                : String.format(Locale.ROOT, Math.abs(v) < 1e-3 && v != 0 ? "%.3e" : "%.4f", v));
            }
        }
        progress.result(sb.toString());
        progress.resetRate();
    }

    @Override
    public void onFitEnd(Fit.Context ctx, Fit.Result result) {
        if (progress != null) {
            progress.note("stopped: " + result.stopReason().name().toLowerCase(Locale.ROOT) + " (" + result.detail() + ") after "
                    + result.steps() + " steps, " + Progress.time(result.seconds()));
            progress.close();
        }
    }
}
