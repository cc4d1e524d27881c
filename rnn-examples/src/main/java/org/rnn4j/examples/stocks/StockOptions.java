package org.rnn4j.examples.stocks;

import java.util.List;
import java.util.Locale;
import org.rnn4j.examples.cli.UserError;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options {@code forecast} takes for the stock forecast, mixed into that command: {@code --data goog}
 * (the bundled Google prices) or {@code --csv FILE --inputs COLS}; the target is {@code --column}
 * (default {@code close}). The command's {@code --window}, {@code --cell}, {@code --hidden},
 * {@code --epochs}, {@code --lr} and {@code --minutes} apply to both forecasts.
 */
public final class StockOptions {
    /** The columns the bundled GOOG forecast reads by default. */
    public static final List<String> GOOG_INPUTS = List.of("open", "high", "low", "close", "volume");

    @Spec(Spec.Target.MIXEE)
    CommandSpec forecast;

    @Option(names = "--data", paramLabel = "NAME",
            description = "Bundled data: airline (monthly passengers, the default) or goog (Google daily prices 2004-2008: the stock "
                    + "forecast, next day's close against the random walk).")
    String data;

    @Option(names = "--inputs", paramLabel = "COLS", split = ",",
            description = "Stock forecast: the columns whose daily log returns the model reads (default for goog: "
                    + "open,high,low,close,volume); with --csv FILE this selects the stock forecast on that file.")
    List<String> inputs;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Stock forecast: the last fraction of days forecast walk-forward (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--refit-every", defaultValue = "21", paramLabel = "DAYS",
            description = "Stock forecast: retrain on all the days before every block of this many test days (default: ${DEFAULT-VALUE}, "
                    + "about a month of trading).")
    int refitEvery;

    /**
     * Whether the command line asks for the stock forecast; throws a {@link UserError} on contradictory
     * options (a bundled data set with --csv, an unknown name, options of the other forecast).
     */
    public boolean requested() {
        boolean csv = matched("--csv");
        if (data != null) {
            String d = data.strip().toLowerCase(Locale.ROOT);
            if (!d.equals("airline") && !d.equals("goog")) {
                throw new UserError("--data " + data + " is not a bundled data set; use airline or goog (or --csv FILE)");
            }
            if (csv) {
                throw new UserError("--data " + data + " and --csv both choose the data; pass one of them");
            }
            if (d.equals("airline")) {
                if (inputs != null) {
                    throw new UserError("--inputs applies to the stock forecast (--data goog or --csv FILE); the airline series has one column");
                }
                return false;
            }
        } else if (inputs == null) {
            return false;
        }
        for (String airlineOnly : List.of("--train", "--horizon", "--season")) {
            if (matched(airlineOnly)) {
                throw new UserError(airlineOnly + " applies to the airline forecast; the stock forecast tests walk-forward on the last "
                        + "--test-fraction of the days, one day ahead");
            }
        }
        if (!(testFraction > 0 && testFraction < 0.9)) {
            throw new UserError("--test-fraction " + testFraction + " must be a fraction in (0, 0.9); pass e.g. 0.2");
        }
        if (refitEvery < 1) {
            throw new UserError("--refit-every " + refitEvery + " must be at least 1 day");
        }
        if (inputs != null && inputs.stream().anyMatch(String::isBlank)) {
            throw new UserError("--inputs " + String.join(",", inputs) + " names an empty column; pass column names separated by commas");
        }
        return true;
    }

    private boolean matched(String option) {
        return forecast != null && forecast.commandLine() != null && forecast.commandLine().getParseResult() != null
                && forecast.commandLine().getParseResult().hasMatchedOption(option);
    }
}
