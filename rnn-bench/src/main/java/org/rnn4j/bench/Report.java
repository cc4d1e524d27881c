package org.rnn4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Writes the results: the table, the CSV and the PNG chart. */
public final class Report {
    /**
     * The CSV header; part of the interface. The columns up to {@code peak_mb} are those of the first
     * release; {@code alloc_mb_step} (Java heap MiB allocated per timed step, empty for torch) was
     * appended after them, so readers that take columns by position still read the same values.
     */
    public static final String CSV_HEADER = "workload,impl,ms_median,ms_min,ms_max,gflops,peak_mb,alloc_mb_step";

    private Report() {
    }

    /** Median of the cpu backend's row for the same workload, or NaN. */
    private static double cpuMedian(List<Row> rows, Subject w) {
        for (Row r : rows) {
            if (r.workload().equals(w) && r.impl().equals("cpu") && r.timed()) {
                return r.median();
            }
        }
        return Double.NaN;
    }

    private static String memory(Row r) {
        if (r.peakBytes() < 0) {
            return "?";
        }
        if (r.heapBytes() < 0) {
            return String.format(Locale.ROOT, "%.0f (RSS)", r.peakMb());
        }
        return String.format(Locale.ROOT, "%.0f (%.0f + %.0f)", r.peakMb(), r.heapBytes() / 1048576.0, r.offBytes() / 1048576.0);
    }

    /** Heap allocated per step: MiB and the percentage of the step's tensor bytes, or "-" when not measured. */
    private static String allocation(Row r) {
        if (r.allocBytesPerStep() < 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f (%.1f%%)", r.allocBytesPerStep() / 1048576.0, 100 * r.allocFraction());
    }

    /** The environment header, the table, and the notes on what ran. */
    public static void printTable(Runner.Results res, PrintStream out) {
        out.println();
        for (String line : res.environment()) {
            out.println(line);
        }
        out.println();
        List<Row> rows = res.rows();
        int wn = "workload".length();
        int in = "impl".length();
        for (Row r : rows) {
            wn = Math.max(wn, r.workload().name().length());
            in = Math.max(in, r.impl().length());
        }
        String head = String.format(Locale.ROOT, "%-" + wn + "s  %-" + in + "s  %10s  %19s  %8s  %-20s  %-15s  %7s  %s", "workload", "impl",
                "median ms", "min-max ms", "GFLOP/s", "peak MB (heap + off)", "alloc MB/step", "vs cpu", "check (norm-wise rel err)");
        out.println(head);
        out.println("-".repeat(head.length() + 8));
        Subject prev = null;
        for (Row r : rows) {
            if (prev != null && !prev.equals(r.workload())) {
                out.println();
            }
            prev = r.workload();
            if (r.timed()) {
                double cpu = cpuMedian(rows, r.workload());
                String rel = Double.isNaN(cpu) ? "-" : String.format(Locale.ROOT, "%.2fx", cpu / r.median());
                out.println(String.format(Locale.ROOT, "%-" + wn + "s  %-" + in + "s  %10.2f  %19s  %8.2f  %-20s  %-15s  %7s  ok: %s",
                        r.workload().name(), r.impl(), r.median(), String.format(Locale.ROOT, "%.2f-%.2f", r.min(), r.max()), r.gflops(),
                        memory(r), allocation(r), rel, r.detail()));
            } else {
                String what = switch (r.status()) {
                    case NOT_APPLICABLE -> "n/a";
                    case FAILED_CHECK -> "FAILED-CHECK";
                    case SKIPPED -> "skipped";
                    default -> "ERROR";
                };
                out.println(String.format(Locale.ROOT, "%-" + wn + "s  %-" + in + "s  %s (%s)", r.workload().name(), r.impl(), what, r.detail()));
            }
        }
        out.println();
        out.println("vs cpu: the cpu backend's median over this row's (higher is faster). peak MB: the most memory a row held above what was in use "
                + "before it: Java heap (sampled, garbage included) + outside the heap (resident set minus committed heap: ND4J's buffers and "
                + "workspaces, OpenBLAS); torch: the Python process's RSS growth. alloc MB/step: Java heap allocated per timed step by "
                + "all the JVM's threads (ThreadMXBean), and as a percentage of the step's float32 tensor bytes (input, gate activations, "
                + "outputs, cell states and parameters; x2 for training, their gradients); not measured for torch.");
        for (String line : ceilingSummary(res)) {
            out.println(line);
        }
        for (String n : res.notes()) {
            out.println("  " + n);
        }
        out.println(String.format(Locale.ROOT, "wall time %.1f s", res.wallSeconds()));
        out.flush();
    }

    /**
     * With {@code --ceiling}: the fastest ceiling row, and for each workload the GFLOP/s of its fastest
     * rnn4j backend as a percentage of it. Empty without ceiling rows.
     */
    static List<String> ceilingSummary(Runner.Results res) {
        List<String> out = new ArrayList<>();
        Row top = null;
        for (Row r : res.rows()) {
            if (r.workload() instanceof Ceiling && r.timed() && (top == null || r.gflops() > top.gflops())) {
                top = r;
            }
        }
        if (top == null) {
            return out;
        }
        out.add(String.format(Locale.ROOT, "ceiling: %s at %.1f GFLOP/s (%s); each workload's fastest rnn4j backend as a share of it:",
                top.workload().name(), top.gflops(), top.impl()));
        Set<Subject> seen = new LinkedHashSet<>();
        for (Row r : res.rows()) {
            if (!(r.workload() instanceof Workload) || !seen.add(r.workload())) {
                continue;
            }
            Row best = null;
            for (Row q : res.rows()) {
                if (q.workload().equals(r.workload()) && q.timed() && res.config().backends().contains(q.impl())
                        && (best == null || q.gflops() > best.gflops())) {
                    best = q;
                }
            }
            if (best != null) {
                out.add(String.format(Locale.ROOT, "  %s: %s %.1f GFLOP/s = %.0f%%", best.workload().name(), best.impl(), best.gflops(),
                        100 * best.gflops() / top.gflops()));
            }
        }
        return out;
    }

    /** Writes the timed rows as CSV with the header {@value #CSV_HEADER}. */
    public static void writeCsv(Runner.Results res, Path file) throws IOException {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : res.rows()) {
            if (!r.timed()) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "%s,%s,%.6g,%.6g,%.6g,%.6g,%s,%s%n", r.workload().name(), r.impl(), r.median(), r.min(), r.max(),
                    r.gflops(), r.peakBytes() < 0 ? "" : String.format(Locale.ROOT, "%.1f", r.peakMb()),
                    r.allocBytesPerStep() < 0 ? "" : String.format(Locale.ROOT, "%.4f", r.allocBytesPerStep() / 1048576.0)));
        }
        createParent(file);
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }

    /** Writes a grouped bar chart of GFLOP/s per workload, one bar per implementation, as PNG. */
    public static void writePlot(Runner.Results res, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Set<Subject> workloads = new LinkedHashSet<>();
        Set<String> impls = new LinkedHashSet<>();
        for (Row r : res.rows()) {
            workloads.add(r.workload());
            if (r.timed()) {
                impls.add(r.impl());
            }
        }
        String core = System.getenv(Environment.CORETYPE);
        String omp = System.getenv("OMP_WAIT_POLICY");
        CategoryChart chart = new CategoryChartBuilder().width(1400).height(720)
                .title(String.format(Locale.ROOT, "rnn4j benchmark: effective GFLOP/s, higher is better (%d cores, %s=%s, OMP_WAIT_POLICY=%s)",
                        Runtime.getRuntime().availableProcessors(), Environment.CORETYPE, core == null ? "unset" : core,
                        omp == null ? "unset" : omp))
                .xAxisTitle("workload").yAxisTitle("GFLOP/s").build();
        Styler st = chart.getStyler();
        st.setLegendPosition(Styler.LegendPosition.InsideNW);
        st.setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisLabelRotation(15);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#0.##");
        chart.getStyler().setLabelsRotation(90);
        List<String> names = new ArrayList<>();
        for (Subject w : workloads) {
            names.add(w.name());
        }
        if (impls.isEmpty()) {
            chart.addSeries("no timed rows", names, zeros(names.size()));
        }
        for (String impl : impls) {
            List<Double> y = new ArrayList<>();
            for (Subject w : workloads) {
                double v = 0;
                for (Row r : res.rows()) {
                    if (r.workload().equals(w) && r.impl().equals(impl) && r.timed()) {
                        v = r.gflops();
                    }
                }
                y.add(v);
            }
            chart.addSeries(impl, names, y);
        }
        createParent(file);
        String path = file.toString();
        String base = path.toLowerCase(Locale.ROOT).endsWith(".png") ? path.substring(0, path.length() - 4) : path;
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        if (!base.equals(path)) {
            return;
        }
        Files.move(Path.of(base + ".png"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static List<Double> zeros(int n) {
        List<Double> z = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            z.add(0.0);
        }
        return z;
    }
}
