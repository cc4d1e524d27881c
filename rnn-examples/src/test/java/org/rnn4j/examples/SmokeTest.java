package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every subcommand on tiny settings, seconds each. */
class SmokeTest {
    @TempDir
    Path dir;

    @Test
    void backendsListsCpu() {
        Cli.Result r = Cli.run("backends");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("cpu") && r.out().contains("available"), r::toString);
    }

    @Test
    void charrnnTrainsSavesAndSamples() throws Exception {
        Path text = Cli.shakespeare(dir, 12000);
        Path ckpt = dir.resolve("c.safetensors");
        Cli.Result r = Cli.run(Cli.tinyCharRnn(text, ckpt, "--max-steps", "4"));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("validation loss:"), r::toString);
        assertTrue(r.out().contains("sample (temperature 0.8):"), r::toString);
        assertTrue(r.err().contains("charrnn step"), "progress lines on stderr:\n" + r);
        assertTrue(Files.exists(ckpt) && Files.exists(dir.resolve("c-loss.png")), r::toString);

        Cli.Result s = Cli.run("charrnn", "sample", "--checkpoint", ckpt.toString(), "--prime", "ROMEO:", "--length", "40",
                "--temperature", "1.2");
        assertEquals(0, s.code(), s::toString);
        assertTrue(s.out().startsWith("ROMEO:"), s::toString);
        assertEquals("ROMEO:".length() + 40, s.out().length() - System.lineSeparator().length(), "prime + 40 characters + newline:\n" + s);
    }

    @Test
    void namesTrainsPrintsTestAccuracyLastAndPredicts() {
        Path ckpt = dir.resolve("names.safetensors");
        Cli.Result r = Cli.run("names", "--cell", "gru", "--hidden", "16", "--embedding", "8", "--max-steps", "6", "--batch", "32",
                "--out-dir", dir.toString(), "--checkpoint", ckpt.toString(), "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.lastLine().matches("test accuracy: 0\\.\\d{4}"), r::toString);
        assertTrue(r.out().contains("confusion matrix"), r::toString);
        assertTrue(Files.exists(dir.resolve("names-gru-confusion.png")) && Files.exists(dir.resolve("names-gru-loss.png")), r::toString);

        Cli.Result p = Cli.run("names", "predict", "--checkpoint", ckpt.toString(), "Dostoevsky", "Nakamura", "O'Neill");
        assertEquals(0, p.code(), p::toString);
        List<String> lines = p.outLines();
        assertEquals(3, lines.size(), p::toString);
        Pattern row = Pattern.compile("^(\\S+):(  \\S+ (0\\.\\d{3}|1\\.000)){3}$");
        double sum = 0;
        for (String l : lines) {
            assertTrue(row.matcher(l).matches(), l);
        }
        Matcher m = Pattern.compile("(0\\.\\d{3}|1\\.000)").matcher(lines.get(0));
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        assertTrue(sum <= 1.001, lines.get(0));
    }

    @Test
    void classicNamesModelRuns() {
        Cli.Result r = Cli.run("names", "--cell", "classic", "--hidden", "16", "--max-steps", "3", "--batch", "32", "--out-dir",
                dir.toString(), "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.lastLine().startsWith("test accuracy: "), r::toString);
        assertTrue(r.out().contains("classic i2h/i2o RNN"), r::toString);
    }

    @Test
    void forecastBeatsSeasonalNaiveOnTheAirlineData() {
        Cli.Result r = Cli.run("forecast", "--hidden", "16", "--epochs", "150", "--horizon", "3", "--out-dir", dir.toString(),
                "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        Matcher model = Pattern.compile("(?m)^rmse: ([0-9.]+)  mape: ([0-9.]+)%$").matcher(r.out());
        Matcher naive = Pattern.compile("(?m)^seasonal-naive rmse: ([0-9.]+)  mape: ([0-9.]+)%$").matcher(r.out());
        assertTrue(model.find() && naive.find(), r::toString);
        double rmse = Double.parseDouble(model.group(1));
        double naiveRmse = Double.parseDouble(naive.group(1));
        assertTrue(rmse < naiveRmse, "model rmse " + rmse + " vs seasonal-naive " + naiveRmse + "\n" + r);
        assertTrue(r.out().contains("horizon 3 rmse: "), r::toString);
        assertTrue(Files.exists(dir.resolve("forecast.png")), r::toString);
    }

    @Test
    void forecastReadsAnotherCsvColumn() throws Exception {
        StringBuilder csv = new StringBuilder("t,flat,wave\n");
        for (int t = 0; t < 60; t++) {
            csv.append(t).append(",1,").append(10 + Math.sin(t * Math.PI / 6) * 3 + t * 0.1).append('\n');
        }
        Path f = dir.resolve("wave.csv");
        Files.writeString(f, csv);
        Cli.Result r = Cli.run("forecast", "--csv", f.toString(), "--column", "wave", "--train", "40", "--hidden", "8", "--epochs", "30",
                "--out-dir", dir.toString(), "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("seasonal-naive rmse: "), r::toString);
    }

    @Test
    void customCellTrainsAndRoundTripsItsCheckpoint() {
        Cli.Result r = Cli.run("custom-cell", "--steps", "5", "--length", "6", "--hidden", "8", "--out-dir", dir.toString(),
                "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("mgu x1"), r::toString);
        assertTrue(r.out().contains("predictions agree to 0.0e+00"), r::toString);
        assertTrue(r.lastLine().startsWith("test mse: "), r::toString);
    }

    @Test
    void helpAndVersion() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.code(), r::toString);
        for (String c : List.of("charrnn", "names", "forecast", "custom-cell", "backends")) {
            assertTrue(r.out().contains(c), r::toString);
        }
        assertEquals(0, Cli.run("--version").code());
    }
}
