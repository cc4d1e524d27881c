package org.rnn4j.examples.stocks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.data.SlidingWindows;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.Bundled;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.loss.Losses;
import org.rnn4j.metrics.RegressionMetrics;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Callback;
import org.rnn4j.train.EarlyStopping;
import org.rnn4j.train.Fit;
import org.rnn4j.train.KeepBest;
import org.rnn4j.train.Progress;

/**
 * The stock forecast ({@code forecast --data goog}, {@code forecast --csv FILE --inputs COLS}): the next
 * day's close (or {@code --column}) from the last {@code --window} days' log returns of several columns,
 * forecast walk-forward over the last {@code --test-fraction} of the days and compared with the random
 * walk (tomorrow's close = today's).
 *
 * <p><b>Walk-forward.</b> The test days are cut into blocks of {@code --refit-every} days. Before each
 * block the model is trained (the first time from scratch, then continuing from the previous block's
 * weights) on every window whose target day lies before the block, the last tenth of those windows
 * serving for early stopping, and then forecasts each day of the block from the actual returns up to
 * the day before. So no forecast uses anything from its own day or later; the returns are standardised
 * with the mean and deviation of the days before the first test day.
 *
 * <p><b>Figures.</b> RMSE and MAPE of the forecast close against the actual close, and the same for the
 * random walk; direction accuracy: how often the forecast moves from today's close in the direction the
 * close actually moved (days without a change left out), beside the share of up days (what always
 * guessing "up" scores).
 */
public final class StockForecast {
    /** The forecast command's options that the stock forecast uses. */
    public record Settings(Path csv, String column, int window, String cell, int hidden, int epochs, double lr, double minutes,
            Path outDir) {
    }

    /** Walk-forward forecasts and the figures. */
    record Result(int testStart, double[] forecast, double[] close, Figures model, Figures randomWalk, double upShare) {
    }

    /** RMSE, MAPE (percent) and direction accuracy (NaN for the random walk, which never moves). */
    record Figures(double rmse, double mape, double direction) {
    }

    private final StockOptions options;
    private final CommonOptions common;
    private final Settings s;

    public StockForecast(StockOptions options, CommonOptions common, Settings settings) {
        this.options = options;
        this.common = common;
        this.s = settings;
    }

    /** Runs the forecast and prints the figures; returns the exit code. */
    public int run() {
        Budget budget = new Budget(s.minutes());
        validate();
        String target = s.column() == null ? "close" : s.column().strip();
        List<String> columns = new ArrayList<>();
        for (String c : options.inputs == null ? StockOptions.GOOG_INPUTS : options.inputs) {
            if (columns.stream().noneMatch(x -> x.equalsIgnoreCase(c.strip()))) {
                columns.add(c.strip());
            }
        }
        if (columns.stream().noneMatch(x -> x.equalsIgnoreCase(target))) {
            columns.add(target);
        }
        StockData data = s.csv() == null ? StockData.goog(columns) : StockData.parse(Bundled.readFile(s.csv(), "--csv"), s.csv().toString(),
                columns);
        int ti = -1;
        for (int c = 0; c < data.columns().size(); c++) {
            if (data.columns().get(c).equalsIgnoreCase(target)) {
                ti = c;
            }
        }
        Backend backend = common.backend();
        System.out.printf(Locale.ROOT, "forecast: %s; the next day's %s from the last %d days' log returns of %s%n", data,
                data.columns().get(ti), s.window(), String.join(", ", data.columns()));
        Result r = walkForward(data, ti, backend, budget);
        int n = data.days();
        Path png = s.outDir().resolve("forecast-" + (s.csv() == null ? "goog" : "stock") + ".png");
        int testDays = n - r.testStart();
        double[] x = Charts.range(testDays, r.testStart());
        double[] actual = Arrays.copyOfRange(r.close(), r.testStart(), n);
        double[] walk = Arrays.copyOfRange(r.close(), r.testStart() - 1, n - 1);
        Charts.lines(png, String.format(Locale.ROOT, "%s, walk-forward: rmse %.3f vs random walk %.3f", data.columns().get(ti),
                r.model().rmse(), r.randomWalk().rmse()), "day (" + data.dates().get(r.testStart()) + " .. " + data.dates().get(n - 1) + ")",
                data.columns().get(ti), List.of(new Charts.Line("actual", x, actual),
                        new Charts.Line("forecast, 1 day ahead", x, Arrays.copyOfRange(r.forecast(), r.testStart(), n)),
                        new Charts.Line("random walk (yesterday's value)", x, walk, true)));
        System.out.printf(Locale.ROOT, "wrote %s; %s in all%n", png, Progress.time(budget.elapsedSeconds()));
        System.out.printf(Locale.ROOT, "rmse: %.3f  mape: %.2f%%  direction accuracy: %.3f (%d days)%n", r.model().rmse(), r.model().mape(),
                r.model().direction(), testDays);
        System.out.printf(Locale.ROOT, "random-walk rmse: %.3f  mape: %.2f%%  (up on %.3f of the days: always guessing 'up' scores that)%n",
                r.randomWalk().rmse(), r.randomWalk().mape(), r.upShare());
        System.out.printf(Locale.ROOT, "model / random walk: rmse %.3f, mape %.3f (below 1 beats the random walk)%n",
                r.model().rmse() / r.randomWalk().rmse(), r.model().mape() / r.randomWalk().mape());
        return 0;
    }

    private void validate() {
        if (!List.of("lstm", "gru", "rnn").contains(s.cell())) {
            throw new UserError("--cell " + s.cell() + " is not a cell here; use lstm, gru or rnn");
        }
        for (Object[] o : new Object[][] {{"--window", s.window()}, {"--hidden", s.hidden()}, {"--epochs", s.epochs()}}) {
            if ((Integer) o[1] <= 0) {
                throw new UserError(o[0] + " " + o[1] + " must be at least 1");
            }
        }
        if (!(s.lr() > 0) || Double.isInfinite(s.lr())) {
            throw new UserError("--lr " + s.lr() + " must be a positive number; pass e.g. 5e-3");
        }
        if (!(s.minutes() >= 0) || Double.isInfinite(s.minutes())) {
            throw new UserError("--minutes " + s.minutes() + " must be 0 (no budget) or a positive number of minutes");
        }
    }

    /**
     * Forecasts every day of the test part walk-forward (see the class doc) and measures them.
     *
     * @param ti the target's column in {@code data}
     */
    Result walkForward(StockData data, int ti, Backend backend, Budget budget) {
        int n = data.days();
        int w = s.window();
        int testDays = (int) Math.round(options.testFraction * n);
        int testStart = n - testDays;
        // window i reads the returns into days i+1 .. i+w and targets the return into day i+w+1
        int firstWindows = testStart - 1 - w;
        if (testDays < 1 || firstWindows < 20) {
            throw new UserError(String.format(Locale.ROOT, "%s has %d days: too few to forecast the last %.0f%% of them from --window %d days "
                    + "with at least 20 training windows; pass a longer series or a smaller --window or --test-fraction", data.source(), n,
                    100 * options.testFraction, w));
        }
        double[][] r = data.logReturns();
        int cols = r[0].length;
        // standardise with the returns before the first test day only (rows 0 .. testStart-2)
        double[] mean = new double[cols];
        double[] std = new double[cols];
        int rows = testStart - 1;
        for (int c = 0; c < cols; c++) {
            for (int t = 0; t < rows; t++) {
                mean[c] += r[t][c];
            }
            mean[c] /= rows;
            for (int t = 0; t < rows; t++) {
                std[c] += (r[t][c] - mean[c]) * (r[t][c] - mean[c]);
            }
            std[c] = Math.sqrt(std[c] / rows);
            if (!(std[c] > 0)) {
                throw new UserError("column '" + data.columns().get(c) + "' of " + data.source() + " does not change over the training days; "
                        + "leave it out of --inputs");
            }
        }
        double[][] z = new double[r.length][cols];
        for (int t = 0; t < r.length; t++) {
            for (int c = 0; c < cols; c++) {
                z[t][c] = (r[t][c] - mean[c]) / std[c];
            }
        }
        SlidingWindows windows = SlidingWindows.of(z, w, 1, 1, ti);
        StockModel model = new StockModel(s.cell().equals("rnn") ? "rnn_tanh" : s.cell(), cols, s.hidden(), backend, common.seed);
        int blocks = (testDays + options.refitEvery - 1) / options.refitEvery;
        System.out.printf(Locale.ROOT, "walk-forward over the last %d days (%s .. %s): %d block(s) of up to %d days, each forecast by the "
                + "model trained on all the days before it (its last tenth for early stopping)%n", testDays, data.dates().get(testStart),
                data.dates().get(n - 1), blocks, options.refitEvery);
        System.out.printf(Locale.ROOT, "model: %s + linear (%,d parameters)%n", model.explain(), model.parameterCount());
        System.out.flush();
        double[] close = data.column(ti);
        double[] forecast = new double[n];
        try (Progress progress = common.progress("forecast")) {
            progress.budgetSeconds(budget.totalSeconds());
            long[] steps = {0};
            for (int k = 0; k < blocks; k++) {
                int from = testStart + k * options.refitEvery;
                int to = Math.min(n, from + options.refitEvery);
                int epochs = k == 0 ? s.epochs() : Math.max(1, s.epochs() / 4);
                double left = budget.totalSeconds() - budget.elapsedSeconds() - 3;
                double seconds = k == 0 ? left * 0.4 : left / (blocks - k);
                Fit.Result fit = train(model, windows, from - 1 - w, epochs, seconds, k, progress, steps);
                // forecast each day t of the block from window t-1-w (returns up to day t-1)
                int[] idx = new int[to - from];
                for (int t = from; t < to; t++) {
                    idx[t - from] = t - 1 - w;
                }
                double[] pred = predict(model, windows, idx, backend);
                for (int t = from; t < to; t++) {
                    double ret = pred[t - from] * std[ti] + mean[ti];
                    forecast[t] = close[t - 1] * Math.exp(ret);
                }
                progress.note(String.format(Locale.ROOT, "block %d/%d  %s .. %s  trained on %d windows: %d epochs, best validation mse %.4f",
                        k + 1, blocks, data.dates().get(from), data.dates().get(to - 1), from - 1 - w, fit.history().size(),
                        fit.history().stream().mapToDouble(h -> h.get("val_loss")).min().orElse(Double.NaN)));
            }
        }
        return measure(close, forecast, testStart);
    }

    /**
     * Trains on windows {@code [0, count)}: the first nine tenths shuffled in batches of 64, the last
     * tenth for early stopping (patience 20 epochs); the best epoch's weights are kept.
     */
    private Fit.Result train(StockModel model, SlidingWindows windows, int count, int epochs, double seconds, int block, Progress progress,
            long[] steps) {
        int val = Math.max(1, count / 10);
        int[] trainIdx = new int[count - val];
        int[] valIdx = new int[val];
        for (int i = 0; i < trainIdx.length; i++) {
            trainIdx[i] = i;
        }
        for (int i = 0; i < val; i++) {
            valIdx[i] = count - val + i;
        }
        Backend backend = model.parameters().values().iterator().next().backend();
        DataLoader<SlidingWindows.Window, SlidingWindows.Batch> train = DataLoader.builder(windows.subset(trainIdx), SlidingWindows::collate)
                .batchSize(64).shuffle(common.seed + block).build();
        DataLoader<SlidingWindows.Window, SlidingWindows.Batch> validation = DataLoader.builder(windows.subset(valIdx),
                SlidingWindows::collate).batchSize(256).build();
        Fit.LossFunction<SlidingWindows.Batch> loss = b -> Losses.mse(model.forward(Var.constant(b.inputTensor(backend, DType.FLOAT32))),
                Var.constant(backend.fromDoubles(b.targets(), DType.FLOAT32, b.size(), 1)));
        KeepBest best = new KeepBest(null, "val_loss", false, null);
        Callback bar = new Callback() {
            @Override
            public void onStepEnd(Fit.Context ctx, long step, double l, long examples) {
                progress.step("block " + (block + 1) + " epoch " + (ctx.epoch() + 1), ++steps[0], l, examples);
            }
        };
        Fit.Builder<SlidingWindows.Batch> b = Fit.builder(model, Adam.builder(model.parameters().values()).lr(s.lr()).build(), train, loss)
                .epochs(epochs).clipGradNorm(1).examples(SlidingWindows.Batch::size).validation(validation, loss, SlidingWindows.Batch::size)
                .callbacks(bar, best, new EarlyStopping("val_loss", 20, false, 0));
        if (Double.isFinite(seconds)) {
            b.timeBudget(Duration.ofMillis(Math.max(1, (long) (seconds * 1000))));
        }
        Fit.Result result;
        try {
            result = b.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (result.failed()) {
            throw new NonFiniteException(result.detail(), -1);
        }
        if (best.bestEpoch() >= 0) {
            best.restore();
        }
        return result;
    }

    /** The model's standardised predictions for windows {@code idx}. */
    private static double[] predict(StockModel model, SlidingWindows windows, int[] idx, Backend backend) {
        List<SlidingWindows.Window> list = new ArrayList<>();
        for (int i : idx) {
            list.add(windows.get(i));
        }
        model.eval();
        try (Grad.Scope off = Grad.disabled()) {
            return F.reshape(model.forward(Var.constant(SlidingWindows.collate(list).inputTensor(backend, DType.FLOAT32))), idx.length)
                    .value().toDoubleArray();
        } finally {
            model.train();
        }
    }

    /** The figures of {@code forecast} and of the random walk on days {@code [testStart, n)}. */
    static Result measure(double[] close, double[] forecast, int testStart) {
        int n = close.length;
        double[] actual = Arrays.copyOfRange(close, testStart, n);
        double[] f = Arrays.copyOfRange(forecast, testStart, n);
        double[] walk = Arrays.copyOfRange(close, testStart - 1, n - 1);
        RegressionMetrics m = new RegressionMetrics();
        m.update(f, actual);
        RegressionMetrics rw = new RegressionMetrics();
        rw.update(walk, actual);
        int moves = 0;
        int right = 0;
        int up = 0;
        for (int i = 0; i < actual.length; i++) {
            double change = actual[i] - walk[i];
            if (change == 0) {
                continue;
            }
            moves++;
            up += change > 0 ? 1 : 0;
            right += Math.signum(f[i] - walk[i]) == Math.signum(change) ? 1 : 0;
        }
        return new Result(testStart, forecast, close, new Figures(m.rmse(), 100 * m.mape(), moves == 0 ? Double.NaN : right / (double) moves),
                new Figures(rw.rmse(), 100 * rw.mape(), Double.NaN), moves == 0 ? Double.NaN : up / (double) moves);
    }
}
