package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stock forecast on tiny settings: the bundled GOOG prices and a CSV of one's own. */
class StockSmokeTest {
    @TempDir
    Path dir;

    @Test
    void googIsForecastWalkForwardAgainstTheRandomWalk() {
        Cli.Result r = Cli.run("forecast", "--data", "goog", "--window", "5", "--hidden", "4", "--epochs", "2", "--refit-every", "105",
                "--out-dir", dir.toString(), "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("walk-forward over the last 209 days (2007-12-17 .. 2008-10-14): 2 block(s)"), r::toString);
        Matcher model = Pattern.compile("(?m)^rmse: ([0-9.]+)  mape: ([0-9.]+)%  direction accuracy: ([0-9.]+) \\(209 days\\)$").matcher(r.out());
        Matcher walk = Pattern.compile("(?m)^random-walk rmse: ([0-9.]+)  mape: ([0-9.]+)%").matcher(r.out());
        assertTrue(model.find() && walk.find(), r::toString);
        // the random walk's figures on GOOG's last 209 days, from the CSV by an independent computation
        double[] close = googCloses();
        double se = 0;
        double ape = 0;
        for (int t = close.length - 209; t < close.length; t++) {
            se += (close[t] - close[t - 1]) * (close[t] - close[t - 1]);
            ape += Math.abs(close[t] - close[t - 1]) / close[t];
        }
        assertEquals(Math.sqrt(se / 209), Double.parseDouble(walk.group(1)), 0.0005, r::toString);
        assertEquals(100 * ape / 209, Double.parseDouble(walk.group(2)), 0.005, r::toString);
        assertTrue(r.lastLine().startsWith("model / random walk: rmse "), r::toString);
        assertTrue(Files.exists(dir.resolve("forecast-goog.png")), r::toString);
    }

    private static double[] googCloses() {
        String[] lines = org.rnn4j.examples.data.Bundled.text("stocks/goog.csv").strip().split("\n");
        double[] c = new double[lines.length - 1];
        for (int i = 1; i < lines.length; i++) {
            c[i - 1] = Double.parseDouble(lines[i].split(",")[4]);
        }
        return c;
    }

    @Test
    void aCsvWithSeveralInputColumns() throws Exception {
        StringBuilder sb = new StringBuilder("day,price,volume,other\n");
        for (int t = 0; t < 90; t++) {
            sb.append(t).append(',').append(100 + 5 * Math.sin(t / 4.0)).append(',').append(1000 + t % 7).append(",x\n");
        }
        Path csv = Files.writeString(dir.resolve("p.csv"), sb);
        Cli.Result r = Cli.run("forecast", "--csv", csv.toString(), "--inputs", "volume", "--column", "price", "--window", "4", "--hidden", "4",
                "--epochs", "2", "--out-dir", dir.toString(), "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("the next day's price from the last 4 days' log returns of volume, price"), r::toString);
        assertTrue(r.out().contains("walk-forward over the last 18 days"), r::toString);
        assertTrue(Files.exists(dir.resolve("forecast-stock.png")), r::toString);
    }
}
