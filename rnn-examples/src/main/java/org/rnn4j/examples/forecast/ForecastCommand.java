package org.rnn4j.examples.forecast;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.SlidingWindows;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.Footprint;
import org.rnn4j.examples.cli.StepProgress;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.Bundled;
import org.rnn4j.examples.data.Series;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.examples.stocks.StockForecast;
import org.rnn4j.examples.stocks.StockOptions;
import org.rnn4j.loss.Losses;
import org.rnn4j.optim.Adam;
import org.rnn4j.metrics.RegressionMetrics;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Fit;
import org.rnn4j.train.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code forecast}: univariate time-series forecasting, compared with the seasonal-naive baseline. */
@Command(name = "forecast", mixinStandardHelpOptions = true,
        description = {"Time-series forecasting (airline passengers or --csv), compared with seasonal-naive.", "",
                "Forecasts a univariate series (the bundled monthly airline passengers, or --csv FILE --column NAME): "
                + "trains on the first --train points, then forecasts each held-back point one step ahead from the actual "
                + "history before it (and, with --horizon N, recursively N steps ahead). Prints 'rmse: X  mape: Y%%' and then the "
                + "same for the seasonal-naive baseline (the value one season earlier); writes a PNG of actual vs forecast.", "",
                "With --data goog (bundled Google daily prices) or --csv FILE --inputs COLS: the stock forecast, the next day's close "
                + "(--column) from the last --window days' log returns of several columns, walk-forward over the last --test-fraction "
                + "of the days, against the random walk (tomorrow = today), with the direction accuracy."})
public final class ForecastCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    StockOptions stocks;

    @Option(names = "--csv", paramLabel = "FILE", description = "CSV file with a header line (default: the bundled airline passengers).")
    Path csv;

    @Option(names = "--column", paramLabel = "NAME", description = "Column of --csv to forecast (default: the last column).")
    String column;

    @Option(names = "--train", defaultValue = "100", paramLabel = "N", description = "Points to train on (default: ${DEFAULT-VALUE}).")
    int trainPoints;

    @Option(names = "--horizon", defaultValue = "1", paramLabel = "N",
            description = "Also forecast each held-back point recursively from N steps before it (default: ${DEFAULT-VALUE}).")
    int horizon;

    @Option(names = "--season", defaultValue = "12", paramLabel = "N",
            description = "Season length of the seasonal-naive baseline (default: ${DEFAULT-VALUE}, months in a year).")
    int season;

    @Option(names = "--window", defaultValue = "12", paramLabel = "N", description = "Past changes the model sees (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--cell", defaultValue = "lstm", paramLabel = "CELL", description = "lstm, gru or rnn (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--hidden", defaultValue = "32", paramLabel = "N", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--epochs", defaultValue = "300", paramLabel = "N", description = "Full-batch epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "5e-3", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--minutes", defaultValue = "3", paramLabel = "M", description = "Time budget for training (0 = none; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--out-dir", defaultValue = "rnn4j-output", paramLabel = "DIR", description = "Where the PNG goes (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Override
    public Integer call() {
        if (stocks.requested()) {
            return new StockForecast(stocks, common, new StockForecast.Settings(csv, column, window, cell, hidden, epochs, lr, minutes,
                    outDir)).run();
        }
        validate();
        Series series = csv == null ? Series.airline() : Series.parseCsv(Bundled.readFile(csv, "--csv"), csv.toString(), column);
        if (csv == null && column != null && !column.equalsIgnoreCase("passengers")) {
            throw new UserError("--column " + column + " needs --csv FILE; the bundled series has only the column 'passengers'");
        }
        double[] y = series.values();
        int n = y.length;
        if (trainPoints >= n) {
            throw new UserError("--train " + trainPoints + " leaves nothing to forecast: the series has " + n
                    + " points; pass a smaller --train");
        }
        int needed = window + 3;
        if (trainPoints < needed || trainPoints <= season) {
            throw new UserError("--train " + trainPoints + " is too short for --window " + window + " and --season " + season
                    + "; pass --train of at least " + Math.max(needed, season + 1) + " (the series has " + n + " points)");
        }
        boolean positive = Arrays.stream(y).allMatch(v -> v > 0);
        double[] u = new double[n];
        for (int t = 0; t < n; t++) {
            u[t] = positive ? Math.log(y[t]) : y[t];
        }
        double[] d = new double[n];
        for (int t = 1; t < n; t++) {
            d[t] = u[t] - u[t - 1];
        }
        double mean = 0;
        for (int t = 1; t < trainPoints; t++) {
            mean += d[t];
        }
        mean /= trainPoints - 1;
        double var = 0;
        for (int t = 1; t < trainPoints; t++) {
            var += (d[t] - mean) * (d[t] - mean);
        }
        double std = Math.sqrt(var / (trainPoints - 1));
        if (!(std > 0)) {
            throw new UserError("the training part of " + series.source() + " is constant (or changes by a constant); there is "
                    + "nothing to learn: pass another --column or a larger --train");
        }
        double[] z = new double[n];
        for (int t = 1; t < n; t++) {
            z[t] = (d[t] - mean) / std;
        }
        // training windows: inputs z[t-W .. t-1], target z[t], for t in [W+1, train)
        SlidingWindows windows = SlidingWindows.of(Arrays.copyOfRange(z, 1, trainPoints), window, 1, 1);
        int count = windows.size();
        new Footprint("the forecast model (" + cell + ", hidden " + hidden + ")", "lower --hidden or --window")
                .recurrent("rnn.", cell, 1, hidden, 1, false, count, window).parameter("head.weight", 1, hidden).check(true);
        Backend backend = common.backend();
        Forecaster model = new Forecaster(cell, hidden, window, backend, common.seed);
        System.out.printf(Locale.ROOT, "forecast: %s; train on the first %d points, forecast the last %d; %s changes, standardised%n",
                series, trainPoints, n - trainPoints, positive ? "log" : "plain");
        System.out.printf(Locale.ROOT, "model: %s + linear (%,d parameters), window %d%n", model.explain(), model.parameterCount(), window);
        Adam adam = Adam.builder(model.parameters().values()).lr(lr).build();
        // full-batch epochs: every window in one batch
        Fit.Builder<SlidingWindows.Batch> fit = Fit.builder(model, adam, DataLoader.builder(windows, SlidingWindows::collate).batchSize(count).build(),
                b -> Losses.mse(model.forward(Var.constant(b.inputTensor(backend, DType.FLOAT32))),
                        Var.constant(backend.fromDoubles(b.targets(), DType.FLOAT32, b.size(), 1))))
                .epochs(epochs).clipGradNorm(1).examples(SlidingWindows.Batch::size).stopOnInterrupt(false)
                .callbacks(new StepProgress(common.progress("forecast")));
        if (minutes > 0) {
            fit.timeBudget(java.time.Duration.ofMillis(Math.round(minutes * 60_000)));
        }
        Fit.Result r;
        try {
            r = fit.run();
        } catch (IOException e) {
            throw new UserError("training failed: " + e, e);
        }
        if (r.failed()) {
            throw new org.rnn4j.optim.NonFiniteException(r.detail(), -1);
        }
        System.out.printf(Locale.ROOT, "trained %d epochs in %s; final training mse %.4f (standardised changes)%n", r.steps(),
                Progress.time(r.seconds()), r.stepLosses().get(r.stepLosses().size() - 1));

        // one step ahead and recursively `horizon` steps ahead, from the actual history before each forecast origin
        double[] oneStep = new double[n];
        double[] ahead = new double[n];
        for (int t = trainPoints; t < n; t++) {
            oneStep[t] = forecast(model, z, u, t - 1, 1, mean, std, positive);
            ahead[t] = horizon == 1 ? oneStep[t] : forecast(model, z, u, t - horizon, horizon, mean, std, positive);
        }
        int lag = season;
        RegressionMetrics m1 = metrics("", y, oneStep, trainPoints);
        RegressionMetrics naive1 = metrics("seasonal-naive ", y, seasonalNaive(y, lag), trainPoints);
        if (horizon > 1) {
            int lagH = season * (int) Math.ceil(horizon / (double) season);
            metrics("horizon " + horizon + " ", y, ahead, trainPoints);
            metrics("horizon " + horizon + " seasonal-naive ", y, seasonalNaive(y, lagH), trainPoints);
        }
        Path png = outDir.resolve("forecast.png");
        List<Charts.Line> lines = new ArrayList<>();
        lines.add(new Charts.Line("actual", Charts.range(n, 0), y));
        lines.add(new Charts.Line("forecast, 1 step ahead", Charts.range(n - trainPoints, trainPoints),
                Arrays.copyOfRange(oneStep, trainPoints, n)));
        if (horizon > 1) {
            lines.add(new Charts.Line("forecast, " + horizon + " steps ahead", Charts.range(n - trainPoints, trainPoints),
                    Arrays.copyOfRange(ahead, trainPoints, n), true));
        }
        lines.add(new Charts.Line("seasonal naive", Charts.range(n - trainPoints, trainPoints),
                Arrays.copyOfRange(seasonalNaive(y, lag), trainPoints, n), true));
        Charts.lines(png, String.format(Locale.ROOT, "%s: rmse %.2f vs seasonal-naive %.2f", series.column(), m1.rmse(), naive1.rmse()),
                "time step (training: 0-" + (trainPoints - 1) + ")", series.column(), lines);
        System.out.println("wrote " + png);
        return 0;
    }

    /**
     * The forecast of the level at {@code origin + steps}, from the actual history up to {@code origin}
     * (inclusive), feeding the model's own predictions back for steps after the first.
     */
    static double forecast(Forecaster model, double[] z, double[] u, int origin, int steps, double mean, double std, boolean log) {
        int w = model.window;
        double[] win = new double[w];
        for (int k = 0; k < w; k++) {
            int t = origin - w + 1 + k;
            win[k] = t >= 1 ? z[t] : 0;
        }
        double level = u[origin];
        for (int s = 0; s < steps; s++) {
            double next = model.predict(win);
            level += next * std + mean;
            System.arraycopy(win, 1, win, 0, w - 1);
            win[w - 1] = next;
        }
        return log ? Math.exp(level) : level;
    }

    static double[] seasonalNaive(double[] y, int lag) {
        double[] f = new double[y.length];
        for (int t = lag; t < y.length; t++) {
            f[t] = y[t - lag];
        }
        return f;
    }

    /** The errors of {@code forecast} against {@code actual} from step {@code from} on, printed as {@code PREFIXrmse: X  mape: Y%}. */
    static RegressionMetrics metrics(String prefix, double[] actual, double[] forecast, int from) {
        RegressionMetrics m = new RegressionMetrics();
        m.update(Arrays.copyOfRange(forecast, from, actual.length), Arrays.copyOfRange(actual, from, actual.length));
        System.out.printf(Locale.ROOT, "%srmse: %.3f  mape: %.2f%%%n", prefix, m.rmse(), 100 * m.mape());
        return m;
    }

    private void validate() {
        if (!List.of("lstm", "gru", "rnn").contains(cell)) {
            throw new UserError("--cell " + cell + " is not a cell here; use lstm, gru or rnn");
        }
        for (Object[] o : new Object[][] {{"--horizon", horizon}, {"--season", season}, {"--window", window}, {"--hidden", hidden},
            {"--epochs", epochs}, {"--train", trainPoints}}) {
            if ((Integer) o[1] <= 0) {
                throw new UserError(o[0] + " " + o[1] + " must be at least 1");
            }
        }
        if (!(lr > 0)) {
            throw new UserError("--lr " + lr + " must be positive; pass e.g. 5e-3");
        }
        CommonOptions.checkMinutes(minutes);
        if (horizon >= trainPoints - window) {
            throw new UserError("--horizon " + horizon + " reaches back before the first window; pass a --horizon below "
                    + (trainPoints - window));
        }
    }
}
