package org.rnn4j.examples.stocks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.Bundled;
import org.rnn4j.examples.data.Series;

/**
 * Daily prices read from a CSV file with a header line: the first column labels the days (dates), and
 * the chosen columns (open, high, low, close, volume, ...) must hold a positive number on every row,
 * because the model reads their log returns. Rows are in time order, oldest first.
 *
 * @param source the file, for messages
 * @param dates the first column of every row
 * @param columns the chosen columns' names, as in the header
 * @param values {@code [days][columns]}
 */
public record StockData(String source, List<String> dates, List<String> columns, double[][] values) {
    /** The bundled Google daily prices, 2004-08-19 .. 2008-10-14 (matplotlib's sample data). */
    public static final String GOOG = "stocks/goog.csv";

    /** The bundled GOOG prices, columns {@code columns}. */
    public static StockData goog(List<String> columns) {
        return parse(Bundled.text(GOOG), "bundled " + GOOG, columns);
    }

    /**
     * Parses {@code text}, keeping {@code columns} (matched without regard to case).
     *
     * @throws UserError naming the source, the line and the column: a missing column, an empty or
     *     non-numeric field, a value that is not positive, a short row, or no data rows
     */
    public static StockData parse(String text, String source, List<String> columns) {
        String[] lines = text.split("\r?\n");
        int first = 0;
        while (first < lines.length && lines[first].isBlank()) {
            first++;
        }
        if (first == lines.length) {
            throw new UserError("CSV " + source + " is empty; pass a CSV file with a header line and one row per day");
        }
        List<String> header = Series.fields(lines[first]);
        int[] idx = new int[columns.size()];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            idx[c] = -1;
            for (int h = 0; h < header.size(); h++) {
                if (header.get(h).strip().equalsIgnoreCase(columns.get(c).strip())) {
                    idx[c] = h;
                }
            }
            if (idx[c] < 0) {
                throw new UserError("CSV " + source + " has no column '" + columns.get(c).strip() + "'; its columns are "
                        + String.join(", ", header) + "; pass some of them with --inputs and --column");
            }
            if (idx[c] == 0) {
                throw new UserError("column '" + columns.get(c).strip() + "' of CSV " + source + " is its first column, which labels the days; "
                        + "pass value columns with --inputs and --column");
            }
            names.add(header.get(idx[c]).strip());
        }
        List<String> dates = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        for (int i = first + 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            List<String> f = Series.fields(lines[i]);
            double[] row = new double[idx.length];
            for (int c = 0; c < idx.length; c++) {
                String where = "CSV " + source + " line " + (i + 1) + ": column '" + names.get(c) + "'";
                if (f.size() <= idx[c]) {
                    throw new UserError(where + " is missing (the line has " + f.size() + " field(s)); fix that line");
                }
                String v = f.get(idx[c]).strip();
                if (v.isEmpty()) {
                    throw new UserError(where + " is empty; fill it in, remove the line, or leave the column out of --inputs");
                }
                double d;
                try {
                    d = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    d = Double.NaN;
                }
                if (!Double.isFinite(d)) {
                    throw new UserError(where + " holds '" + v + "', not a finite number; fix or remove that line");
                }
                if (d <= 0) {
                    throw new UserError(where + " holds " + v + "; the model reads log returns, which need positive values; "
                            + "fix the line or leave the column out of --inputs");
                }
                row[c] = d;
            }
            dates.add(f.get(0).strip());
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new UserError("CSV " + source + " has a header but no data rows; add one row per day");
        }
        return new StockData(source, dates, names, rows.toArray(new double[0][]));
    }

    /** Number of days. */
    public int days() {
        return values.length;
    }

    /** Column {@code c} over all days. */
    public double[] column(int c) {
        double[] out = new double[values.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = values[t][c];
        }
        return out;
    }

    /**
     * Log returns {@code [days - 1][columns]}: row {@code t} is {@code log(x[t + 1] / x[t])}, the change
     * into day {@code t + 1}.
     */
    public double[][] logReturns() {
        double[][] r = new double[values.length - 1][values[0].length];
        for (int t = 0; t + 1 < values.length; t++) {
            for (int c = 0; c < values[0].length; c++) {
                r[t][c] = Math.log(values[t + 1][c] / values[t][c]);
            }
        }
        return r;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%d days, %s .. %s; columns %s)", source, days(), dates.get(0), dates.get(days() - 1),
                String.join(", ", columns));
    }
}
