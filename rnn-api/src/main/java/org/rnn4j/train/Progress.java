package org.rnn4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress on stderr: on a terminal a single line redrawn in place (epoch/step, loss,
 * examples per second, elapsed time and ETA); elsewhere (a pipe, a log file, CI) a plain line every
 * {@link #plainIntervalSeconds} seconds. Results belong on stdout; this only reports progress.
 */
public final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final PrintStream results;
    private final String task;
    private final boolean interactive;
    private final long start = System.nanoTime();
    private long lastDraw;
    private double plainIntervalSeconds = 15;
    private int drawnWidth;
    private long totalSteps = -1;
    private double budgetSeconds = Double.POSITIVE_INFINITY;
    private long examples;
    private double smoothLoss = Double.NaN;
    private long baseExamples;
    private long baseTime = start;
    private String unit = "ex";

    /**
     * @param out         the progress stream (stderr)
     * @param results     where {@link #result} lines go (stdout)
     * @param interactive redraw one line in place (a terminal) rather than print plain lines
     */
    public Progress(PrintStream out, PrintStream results, String task, boolean interactive) {
        this.out = out;
        this.results = results;
        this.task = task;
        this.interactive = interactive;
        this.lastDraw = 0; // the first step is always shown
    }

    /** The number of steps planned (for the ETA); negative when unknown. */
    public Progress totalSteps(long steps) {
        this.totalSteps = steps;
        return this;
    }

    /** The time budget in seconds (for the ETA); infinite when none. */
    public Progress budgetSeconds(double seconds) {
        this.budgetSeconds = seconds;
        return this;
    }

    /** How often plain (non-terminal) progress lines are printed. */
    public Progress plainIntervalSeconds(double s) {
        this.plainIntervalSeconds = s;
        return this;
    }

    /** The unit of the rate, e.g. {@code ex} (examples) or {@code chars}. */
    public Progress unit(String unit) {
        this.unit = unit;
        return this;
    }

    public boolean interactive() {
        return interactive;
    }

    /** Seconds since this reporter was created. */
    public double elapsedSeconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Records one training step: {@code batchExamples} examples processed with loss {@code loss}.
     * Redraws the bar at most ten times a second.
     */
    public void step(String position, long step, double loss, long batchExamples) {
        examples += batchExamples;
        smoothLoss = Double.isNaN(smoothLoss) ? loss : 0.95 * smoothLoss + 0.05 * loss;
        long now = System.nanoTime();
        double sinceDraw = lastDraw == 0 ? Double.POSITIVE_INFINITY : (now - lastDraw) / 1e9;
        if (interactive ? sinceDraw < 0.1 : sinceDraw < plainIntervalSeconds) {
            return;
        }
        lastDraw = now;
        double elapsed = (now - start) / 1e9;
        double rate = (examples - baseExamples) / Math.max(1e-9, (now - baseTime) / 1e9);
        double eta = budgetSeconds - elapsed;
        if (totalSteps > 0 && step > 0) {
            double stepEta = (totalSteps - step) * elapsed / step;
            eta = Math.min(eta, stepEta);
        }
        String line = String.format(Locale.ROOT, "%s %s  loss %.4f  %.0f %s/s  %s elapsed  ETA %s", task, position, smoothLoss,
                rate, unit, time(elapsed), Double.isInfinite(eta) ? "?" : time(Math.max(0, eta)));
        if (interactive) {
            StringBuilder sb = new StringBuilder("\r").append(line);
            for (int i = line.length(); i < drawnWidth; i++) {
                sb.append(' ');
            }
            drawnWidth = line.length();
            out.print(sb);
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Resets the examples-per-second window (after an evaluation pause, for example). */
    public void resetRate() {
        baseExamples = examples;
        baseTime = System.nanoTime();
    }

    /** Prints a permanent line on the progress stream, clearing the bar first. */
    public void note(String line) {
        clear();
        out.println(line);
        out.flush();
    }

    /** Prints a result line (an epoch's validation figures, say) on the results stream, clearing the bar first. */
    public void result(String line) {
        clear();
        out.flush();
        results.println(line);
        results.flush();
    }

    private void clear() {
        if (interactive && drawnWidth > 0) {
            out.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
    }

    /** {@code 1h02m}, {@code 3m05s} or {@code 12s}. */
    public static String time(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }

    @Override
    public void close() {
        clear();
        out.flush();
    }
}
