package org.rnn4j.examples.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.rnn4j.examples.cli.UserError;

/** A univariate time series read from one column of a CSV file with a header line. */
public record Series(String source, String column, List<String> labels, double[] values) {

    /** The bundled monthly airline-passengers series (1949-1960, 144 months). */
    public static Series airline() {
        return parseCsv(Bundled.text(Bundled.AIRLINE), "bundled " + Bundled.AIRLINE, "passengers");
    }

    /**
     * Parses {@code text} as CSV (comma-separated, optional double quotes, a header line) and takes the
     * column {@code column} (case-insensitive; null for the last column). The first column labels the
     * rows. Every value of the column must be a number.
     */
    public static Series parseCsv(String text, String source, String column) {
        String[] lines = text.split("\r?\n");
        int first = 0;
        while (first < lines.length && lines[first].isBlank()) {
            first++;
        }
        if (first == lines.length) {
            throw new UserError("CSV " + source + " is empty; pass a CSV file with a header line and one row per time step");
        }
        List<String> header = fields(lines[first]);
        int col = header.size() - 1;
        if (column != null) {
            col = -1;
            for (int i = 0; i < header.size(); i++) {
                if (header.get(i).strip().equalsIgnoreCase(column.strip())) {
                    col = i;
                }
            }
            if (col < 0) {
                throw new UserError("CSV " + source + " has no column '" + column + "'; its columns are " + String.join(", ", header)
                        + "; pass one of them with --column");
            }
        }
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (int i = first + 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            List<String> f = fields(lines[i]);
            if (f.size() <= col) {
                throw new UserError("CSV " + source + " line " + (i + 1) + " has " + f.size() + " field(s) but column '"
                        + header.get(col) + "' is field " + (col + 1) + "; fix that line");
            }
            String v = f.get(col).strip();
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                d = Double.NaN;
            }
            if (!Double.isFinite(d)) {
                throw new UserError("CSV " + source + " line " + (i + 1) + ": column '" + header.get(col) + "' holds '" + v
                        + "', not a finite number; fix or remove that line, or pick a numeric column with --column");
            }
            labels.add(f.get(0).strip());
            values.add(d);
        }
        if (values.isEmpty()) {
            throw new UserError("CSV " + source + " has a header but no data rows; add one row per time step");
        }
        double[] vs = new double[values.size()];
        for (int i = 0; i < vs.length; i++) {
            vs[i] = values.get(i);
        }
        return new Series(source, header.get(col).strip(), labels, vs);
    }

    /** Splits one CSV line; double quotes group a field and {@code ""} inside quotes is a quote. */
    public static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    public int size() {
        return values.length;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s, %d values)", source, column, values.length);
    }
}
