package org.rnn4j.examples.stocks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rnn4j.backend.Backends;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.cli.CommonOptions;

/** The stock forecast's figures against a hand computation, and walk-forward without look-ahead. */
class StockForecastTest {

    @Test
    void figuresAgreeWithAHandComputation() {
        double[] close = {10, 11, 12, 11, 13, 13};
        double[] forecast = {0, 0, 0, 12.5, 12, 13.5};
        StockForecast.Result r = StockForecast.measure(close, forecast, 3);
        // days 3, 4, 5: actual 11, 13, 13; forecast 12.5, 12, 13.5; random walk 12, 11, 13
        assertEquals(Math.sqrt((1.5 * 1.5 + 1 + 0.25) / 3), r.model().rmse(), 1e-12);
        assertEquals(100 * (1.5 / 11 + 1 / 13.0 + 0.5 / 13) / 3, r.model().mape(), 1e-12);
        assertEquals(Math.sqrt((1 + 4 + 0) / 3.0), r.randomWalk().rmse(), 1e-12);
        assertEquals(100 * (1 / 11.0 + 2 / 13.0) / 3, r.randomWalk().mape(), 1e-12);
        // day 5 did not move and is left out; day 3 went down (forecast said up), day 4 up (forecast up)
        assertEquals(0.5, r.model().direction(), 0.0);
        assertEquals(0.5, r.upShare(), 0.0);
    }

    @Test
    void logReturnsAreTheChangesIntoEachDay() {
        StockData d = StockData.parse("date,a,b\n1,1,4\n2,2,2\n3,6,1\n", "t.csv", List.of("b", "a"));
        assertEquals(List.of("b", "a"), d.columns());
        double[][] r = d.logReturns();
        assertEquals(2, r.length);
        assertEquals(Math.log(0.5), r[0][0], 1e-15);
        assertEquals(Math.log(2), r[0][1], 1e-15);
        assertEquals(Math.log(3), r[1][1], 1e-15);
    }

    private static StockData synthetic(int days, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<String> dates = new ArrayList<>();
        double[][] v = new double[days][2];
        double p = 50;
        double vol = 1000;
        for (int t = 0; t < days; t++) {
            p *= Math.exp(0.01 * rng.nextGaussian() + 0.003 * Math.sin(t / 5.0));
            vol *= Math.exp(0.1 * rng.nextGaussian());
            v[t][0] = p;
            v[t][1] = vol;
            dates.add("d" + t);
        }
        return new StockData("synthetic", dates, List.of("close", "volume"), v);
    }

    private static StockForecast.Result run(StockData data) {
        StockOptions o = new StockOptions();
        o.testFraction = 0.25;
        o.refitEvery = 10;
        CommonOptions common = new CommonOptions();
        common.seed = 3;
        common.plainProgress = true;
        StockForecast f = new StockForecast(o, common, new StockForecast.Settings(null, "close", 5, "gru", 4, 3, 1e-2, 0, Path.of("unused")));
        return f.walkForward(data, 0, Backends.get("cpu"), new Budget(0));
    }

    @Test
    void noForecastSeesItsOwnDayOrLater() {
        StockData data = synthetic(120, 1);
        StockForecast.Result first = run(data);
        int testStart = first.testStart();
        assertEquals(90, testStart);
        // change every value from day k on: the forecasts up to day k must not move
        int k = testStart + 13;
        double[][] changed = new double[data.days()][];
        SplittableRandom rng = new SplittableRandom(2);
        for (int t = 0; t < data.days(); t++) {
            changed[t] = data.values()[t].clone();
            if (t >= k) {
                changed[t][0] *= 1 + 0.2 * rng.nextDouble();
                changed[t][1] *= 1 + 0.5 * rng.nextDouble();
            }
        }
        StockForecast.Result second = run(new StockData("changed", data.dates(), data.columns(), changed));
        for (int t = testStart; t <= k; t++) {
            assertEquals(first.forecast()[t], second.forecast()[t], 0.0, "forecast of day " + t + " (days from " + k + " on changed)");
        }
        boolean moved = false;
        for (int t = k + 1; t < data.days(); t++) {
            moved |= first.forecast()[t] != second.forecast()[t];
        }
        assertTrue(moved, "the forecasts after the change do depend on the changed days");
        for (int t = testStart; t < data.days(); t++) {
            assertTrue(first.forecast()[t] > 0 && Double.isFinite(first.forecast()[t]), "forecast of day " + t);
        }
    }
}
