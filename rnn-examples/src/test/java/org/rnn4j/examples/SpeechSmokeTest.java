package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.examples.speech.Fsdd;

/** The speech subcommands on tiny slices, seconds each: training, the printed figures, the files, prediction from the model file. */
class SpeechSmokeTest {
    @TempDir
    static Path dir;
    /** Two speakers: index 0 (test) and 5-8 (training) of every digit. */
    static Path data;

    @BeforeAll
    static void extract() throws Exception {
        data = dir.resolve("fsdd");
        Wavs.extract(data, k -> (k.speaker().equals("jackson") || k.speaker().equals("theo")) && (k.index() == 0 || k.index() >= 5 && k.index() < 9));
    }

    static String[] tiny(String task, Path out, String... more) {
        String[] base = {"speech", task, "--data", data.toString(), "--hidden", "8", "--layers", "1", "--batch", "16", "--max-steps", "3",
            "--out-dir", out.toString(), "--minutes", "0", "--plain-progress"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void digitsTrainsPrintsTestAccuracyLastAndPredictsFromTheModelFile() throws Exception {
        Path out = dir.resolve("digits");
        Cli.Result r = Cli.run(tiny("digits", out, "--max-steps", "6"));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.lastLine().matches("test accuracy: [01]\\.\\d{3}"), r::toString);
        assertTrue(r.out().contains("train 70, validation 10, test 20 recordings"), r::toString);
        assertTrue(r.out().contains("confusion matrix on the test set"), r::toString);
        Path model = out.resolve("speech-digits.safetensors");
        assertTrue(Files.exists(model) && Files.exists(out.resolve("speech-digits-confusion.png")), r::toString);
        assertTrue(Files.readString(out.resolve("speech-digits-log.csv")).startsWith("epoch,step,loss,val_accuracy"), r::toString);

        Path a = data.resolve("3_theo_0.wav");
        Path b = data.resolve("8_jackson_0.wav");
        Cli.Result p = Cli.run("speech", "predict", "--model", model.toString(), a.toString(), b.toString());
        assertEquals(0, p.code(), p::toString);
        List<String> lines = p.outLines();
        assertEquals(2, lines.size(), p::toString);
        assertTrue(lines.get(0).matches(java.util.regex.Pattern.quote(a.toString()) + ": \\d  \\(probability (0\\.\\d{3}|1\\.000)\\)"), p::toString);
        assertTrue(lines.get(1).startsWith(b + ": "), p::toString);
    }

    @Test
    void connectedTrainsWithCtcPrintsTheDigitErrorRateLastAndPredictsStrings() throws Exception {
        Path out = dir.resolve("connected");
        Cli.Result r = Cli.run(tiny("connected", out, "--strings", "24", "--validation-strings", "4", "--test-strings", "6", "--beam", "4"));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.lastLine().matches("test digit error rate: \\d\\.\\d{3}"), r::toString);
        assertTrue(r.out().contains("train 24 ("), r::toString);
        assertTrue(r.out().contains("prefix beam search, width 4"), r::toString);
        Path model = out.resolve("speech-connected.safetensors");
        assertTrue(Files.exists(model), r::toString);

        List<Fsdd.Recording> parts = Fsdd.bundled(k -> k.speaker().equals("theo") && k.index() == 0 && (k.digit() == 4 || k.digit() == 2));
        Path joined = Wavs.write(dir.resolve("24.wav"), Wavs.join(parts), 8000, 16);
        Cli.Result p = Cli.run("speech", "predict", "--model", model.toString(), joined.toString());
        assertEquals(0, p.code(), p::toString);
        assertTrue(p.lastLine().matches(java.util.regex.Pattern.quote(joined.toString()) + ":( \\d)*( \\(no digit heard\\))?"), p::toString);
    }

    @Test
    void speakerOutTestsOnTheHeldOutSpeakerOnly() {
        Path out = dir.resolve("held-out");
        Cli.Result r = Cli.run(tiny("digits", out, "--speaker-out", "Theo"));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("speaker theo held out: trained on jackson, tested on theo"), r::toString);
        assertTrue(r.out().contains("test 50 recordings"), r::toString);
        assertTrue(Files.exists(out.resolve("speech-digits-without-theo.safetensors")), r::toString);
        assertTrue(r.lastLine().startsWith("test accuracy: "), r::toString);
    }

    @Test
    void bundledDataWithALimit() {
        Path out = dir.resolve("bundled");
        Cli.Result r = Cli.run("speech", "digits", "--limit", "6", "--speaker-out", "yweweler", "--hidden", "8", "--layers", "1",
                "--max-steps", "2", "--out-dir", out.toString(), "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("FSDD (index < 6): 360 recordings of 6 speakers"), r::toString);
        assertTrue(r.out().contains("test 60 recordings"), r::toString);
    }

    @Test
    void speechAloneAsksForATask() {
        Cli.Result r = Cli.run("speech");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("digits, connected or predict"), r::toString);
        Cli.Result help = Cli.run("speech", "--help");
        assertEquals(0, help.code(), help::toString);
        assertTrue(help.out().contains("digits") && help.out().contains("connected") && help.out().contains("predict"), help::toString);
    }
}
