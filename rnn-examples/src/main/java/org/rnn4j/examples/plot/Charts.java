package org.rnn4j.examples.plot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.rnn4j.examples.cli.UserError;

/** PNG charts (XChart), written headless. */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** One line series: x and y values of equal length. */
    public record Line(String name, double[] x, double[] y, boolean dashed) {
        public Line(String name, double[] x, double[] y) {
            this(name, x, y, false);
        }
    }

    /** Writes a line chart of {@code lines} to {@code png}. */
    public static void lines(Path png, String title, String xLabel, String yLabel, List<Line> lines) {
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setMarkerSize(3);
        for (Line l : lines) {
            if (l.x().length == 0) {
                continue;
            }
            XYSeries s = chart.addSeries(l.name(), l.x(), l.y());
            s.setMarker(l.x().length > 60 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            if (l.dashed()) {
                s.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 4f}, 0f));
            }
        }
        save(chart, png);
    }

    /**
     * Writes a confusion matrix (rows: true class, columns: predicted class) as a heat map, each row
     * normalised to fractions so that small classes are as visible as large ones.
     */
    public static void confusion(Path png, String title, List<String> labels, int[][] counts) {
        int n = labels.size();
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            int total = 0;
            for (int c = 0; c < n; c++) {
                total += counts[r][c];
            }
            for (int c = 0; c < n; c++) {
                double v = total == 0 ? 0 : counts[r][c] / (double) total;
                // x = predicted, y = true; y reversed so that the first class is at the top
                cells.add(new Number[] {c, n - 1 - r, Math.round(v * 100) / 100.0});
            }
        }
        List<String> yLabels = new ArrayList<>(labels);
        java.util.Collections.reverse(yLabels);
        HeatMapChart chart = new HeatMapChartBuilder().width(900).height(800).title(title).xAxisTitle("predicted")
                .yAxisTitle("true").build();
        chart.getStyler().setShowValue(false);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setRangeColors(new java.awt.Color[] {java.awt.Color.WHITE, new java.awt.Color(0x9ecae1),
            new java.awt.Color(0x3182bd), new java.awt.Color(0x08306b)});
        chart.addSeries("fraction of the true class", labels, yLabels, cells);
        save(chart, png);
    }

    /**
     * Writes a matrix as a heat map (e.g. attention weights): {@code values[r][c]} is drawn at column
     * label {@code c} and row label {@code r}, the first row at the top, on a white-to-blue scale from 0
     * to the largest value rounded up to two decimals.
     *
     * @param columns one label per column (repeated labels are allowed)
     * @param rows    one label per row
     * @param values  {@code [rows][columns]}; not modified
     */
    public static void heatMap(Path png, String title, String xLabel, String yLabel, List<String> columns, List<String> rows,
            double[][] values) {
        if (values.length != rows.size() || values.length == 0 || values[0].length != columns.size()) {
            throw new IllegalArgumentException("Charts.heatMap: values is " + values.length + " x " + (values.length == 0 ? 0 : values[0].length)
                    + ", expected " + rows.size() + " x " + columns.size() + " (rows x columns)");
        }
        int nr = rows.size();
        int nc = columns.size();
        double max = 1e-9;
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < nr; r++) {
            for (int c = 0; c < nc; c++) {
                max = Math.max(max, values[r][c]);
                cells.add(new Number[] {c, nr - 1 - r, Math.round(values[r][c] * 1000) / 1000.0});
            }
        }
        List<String> yLabels = unique(rows);
        java.util.Collections.reverse(yLabels);
        HeatMapChart chart = new HeatMapChartBuilder().width(Math.max(500, 90 + 60 * nc)).height(Math.max(400, 140 + 40 * nr)).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setShowValue(false);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(Math.ceil(max * 100) / 100);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setRangeColors(new java.awt.Color[] {java.awt.Color.WHITE, new java.awt.Color(0x9ecae1),
            new java.awt.Color(0x3182bd), new java.awt.Color(0x08306b)});
        chart.addSeries("weight", unique(columns), yLabels, cells);
        save(chart, png);
    }

    /** The labels, repeated ones made distinct by trailing spaces (invisible in the chart). */
    private static List<String> unique(List<String> labels) {
        List<String> out = new ArrayList<>(labels.size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String l : labels) {
            String u = l;
            while (!seen.add(u)) {
                u += " ";
            }
            out.add(u);
        }
        return out;
    }

    private static void save(Chart<?, ?> chart, Path png) {
        try {
            Path abs = png.toAbsolutePath();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            String name = abs.toString();
            String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
            BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UserError("cannot write " + png + ": " + e.getMessage() + "; pass a writable directory with --out-dir");
        }
    }

    /** {@code 0, 1, ..., n-1} (or offset) as doubles. */
    public static double[] range(int n, double offset) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + offset;
        }
        return x;
    }
}
