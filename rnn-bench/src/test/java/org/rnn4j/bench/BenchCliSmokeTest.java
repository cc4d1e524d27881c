package org.rnn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.backend.Backends;

/**
 * Runs the CLI on tiny workloads with every available backend and both peers, and checks that the
 * table, the CSV and the PNG are written and that every implementation passed its check. No timing
 * is asserted. The torch peer is skipped (with its reason in the header) where Python cannot import torch.
 */
class BenchCliSmokeTest {
    private static final List<String> WORKLOADS = List.of("lstm-train-b2-t5-i8-h16", "gru-train-b3-t4-i6-h5", "rnn-infer-b2-t3-i4-h5");

    @Test
    void tinyRunWritesTableCsvAndPlot(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("out.csv");
        Path png = dir.resolve("plots/out.png");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "--workloads", String.join(",", WORKLOADS), "--backends", "all", "--peers", "dl4j,torch",
                "--warmup", "1", "--warmup-seconds", "0", "--iterations", "2", "--csv", csv.toString(), "--plot", png.toString());
        String table = out.toString(StandardCharsets.UTF_8);
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, table + "\n" + log);
        assertFalse(table.contains("FAILED-CHECK"), table);
        assertFalse(table.contains("ERROR"), table);
        assertTrue(table.contains("OPENBLAS_CORETYPE"), table);
        assertTrue(table.contains("gru-train-b3-t4-i6-h5") && table.contains("n/a (DL4J"), table);

        List<String> lines = Files.readAllLines(csv);
        assertEquals(Report.CSV_HEADER, lines.get(0));
        List<String> impls = Runner.resolveBackends("all");
        for (String w : WORKLOADS) {
            for (String b : impls) {
                assertTrue(lines.stream().anyMatch(l -> l.startsWith(w + "," + b + ",")), "no CSV row for " + w + " on " + b + ": " + lines);
            }
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("lstm-train-b2-t5-i8-h16,dl4j,")), lines.toString());
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            assertEquals(8, f.length, l);
            assertTrue(Double.parseDouble(f[2]) > 0 && Double.parseDouble(f[5]) > 0, l);
            // heap allocation per step: measured for every implementation in this JVM, empty for torch
            assertEquals(f[1].equals("torch"), f[7].isEmpty(), l);
            if (!f[7].isEmpty()) {
                assertTrue(Double.parseDouble(f[7]) >= 0, l);
            }
        }

        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertEquals("\u0089PNG", new String(head, 0, 4, StandardCharsets.ISO_8859_1), "not a PNG");
    }

    @Test
    void aReferenceOfTheFirstSequencesChecksTheWholeOutputsPrefix(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "--workloads", "lstm-train-b5-t3-i4-h6,rnn-infer-b4-t3-i2-h3", "--backends", "cpu", "--peers", "dl4j,torch",
                "--check-batch", "2", "--warmup", "0", "--iterations", "1");
        String table = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, table + "\n" + err.toString(StandardCharsets.UTF_8));
        assertTrue(table.contains("first 2 sequences"), table);
        assertFalse(table.contains("FAILED-CHECK") || table.contains("ERROR"), table);
    }

    @Test
    void ceilingRowsTimeTheMatrixProductOnEveryBackend(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("ceiling.csv");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "--workloads", "lstm-train-b2-t3-i4-h5", "--backends", "all", "--ceiling", "96", "--warmup", "1", "--warmup-seconds", "0", "--iterations", "3",
                "--csv", csv.toString());
        String table = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, table + "\n" + err.toString(StandardCharsets.UTF_8));
        assertFalse(table.contains("FAILED-CHECK") || table.contains("ERROR"), table);
        assertTrue(table.contains("ceiling: ceiling-sgemm-96 at "), table);
        assertTrue(table.contains("lstm-train-b2-t3-i4-h5: "), table);
        List<String> lines = Files.readAllLines(csv);
        for (String b : Runner.resolveBackends("all")) {
            String row = lines.stream().filter(l -> l.startsWith("ceiling-sgemm-96," + b + ",")).findFirst().orElse(null);
            assertTrue(row != null, "no ceiling row for " + b + ": " + lines);
            String[] f = row.split(",", -1);
            // GFLOP/s is 2 n^3 over the median time
            assertEquals(2.0 * 96 * 96 * 96 / (Double.parseDouble(f[2]) * 1e6), Double.parseDouble(f[5]), 1e-3 * Double.parseDouble(f[5]), row);
        }
    }

    @Test
    void theAllocationCounterSeesWhatTheStepAllocates() throws Exception {
        long[] sink = new long[1];
        Impl.Timing t = LocalTimer.time(() -> sink[0] += new byte[4 << 20].length, 1, 0, 3, 10, 0.01);
        // 4 MiB per step, plus a little for the timing loop itself
        assertTrue(t.allocBytesPerStep() >= 4 << 20 && t.allocBytesPerStep() < (4 << 20) + (1 << 20), "" + t.allocBytesPerStep());
        assertTrue(sink[0] > 0);
    }

    @Test
    void theWarmupGoesOnForItsSecondsWithinAThirdOfTheBudget() throws Exception {
        Impl.Timing t = LocalTimer.time(() -> Thread.sleep(10), 1, 0.3, 2, 30, 0.01);
        assertTrue(t.warmup() >= 10 && t.warmup() <= 31, "warmup steps: " + t.warmup());
        assertEquals(2, t.ms().length);
        // the budget's third caps it: 0.09 s of a 0.27 s budget
        Impl.Timing capped = LocalTimer.time(() -> Thread.sleep(10), 1, 5, 2, 0.27, 0.01);
        assertTrue(capped.warmup() >= 1 && capped.warmup() <= 10, "warmup steps: " + capped.warmup());
    }

    @Test
    void unknownNamesAreErrorsThatSayWhatExists() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, BenchMain.run(o, e, "--backends", "cpuu"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("Installed:"), err.toString(StandardCharsets.UTF_8));
        assertEquals(2, BenchMain.run(o, e, "--workloads", "lstm-big"));
        assertEquals(2, BenchMain.run(o, e, "--peers", "tensorflow"));
        assertEquals(2, BenchMain.run(o, e, "--ceiling", "-1"));
        assertEquals(2, BenchMain.run(o, e, "--warmup-seconds", "-1"));
        assertTrue(Backends.providers().containsKey("cpu"));
    }

    @Test
    void jmhBenchmarkListIsGenerated() throws Exception {
        try (var in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertTrue(in != null, "META-INF/BenchmarkList missing: JMH's annotation processor did not run");
            assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("RnnBenchmark"));
        }
    }
}
