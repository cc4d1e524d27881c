package org.rnn4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Appends each epoch's figures of {@link Fit} to a CSV file (Keras's {@code CSVLogger}): a header of the
 * first epoch's keys, then one row per epoch, in the header's order (an absent figure is an empty field).
 * A resumed run appends to the file it finds.
 */
public final class CsvLogger implements Callback {
    private final Path file;
    private List<String> columns;

    /** Logs to {@code file} (created with its header when absent). */
    public CsvLogger(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("CsvLogger: file is null");
        }
        this.file = file;
    }

    @Override
    public void onEpochEnd(Fit.Context ctx, long epoch, Map<String, Double> logs) {
        try {
            if (columns == null) {
                if (Files.exists(file) && Files.size(file) > 0) {
                    columns = List.of(Files.readAllLines(file, StandardCharsets.UTF_8).get(0).split(",", -1));
                } else {
                    columns = new ArrayList<>(logs.keySet());
                    Files.writeString(file, String.join(",", columns) + "\n", StandardCharsets.UTF_8);
                }
            }
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) {
                    row.append(',');
                }
                Double v = logs.get(columns.get(i));
                if (v != null) {
                    row.append(v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue()) : String.format(Locale.ROOT, "%.9g", v));
                }
            }
            Files.writeString(file, row.append('\n').toString(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger: cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
