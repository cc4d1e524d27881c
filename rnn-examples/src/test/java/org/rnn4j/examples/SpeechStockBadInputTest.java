package org.rnn4j.examples;

import static org.rnn4j.examples.BadInputTest.assertBadInput;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.backend.Backends;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Linear;
import org.rnn4j.tensor.DType;

/** Bad input to 'speech' and the stock forecast: one line naming the file and the problem, exit 2. */
class SpeechStockBadInputTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path good;

    @BeforeAll
    static void tinyModel() throws Exception {
        Path data = dir.resolve("fsdd");
        Wavs.extract(data, k -> k.speaker().equals("lucas") && (k.index() == 0 || k.index() == 5 || k.index() == 6));
        model = dir.resolve("digits.safetensors");
        Cli.Result r = Cli.run("speech", "digits", "--data", data.toString(), "--hidden", "4", "--layers", "1", "--max-steps", "1",
                "--model", model.toString(), "--out-dir", dir.toString(), "--validation", "0.3", "--plain-progress");
        org.junit.jupiter.api.Assertions.assertEquals(0, r.code(), r::toString);
        good = data.resolve("1_lucas_0.wav");
    }

    static Cli.Result predict(Path... wavs) {
        String[] args = {"speech", "predict", "--model", model.toString()};
        String[] all = Arrays.copyOf(args, args.length + wavs.length);
        for (int i = 0; i < wavs.length; i++) {
            all[args.length + i] = wavs[i].toString();
        }
        return Cli.run(all);
    }

    @Test
    void aWavThatIsNot16BitPcm() throws Exception {
        Path eight = Wavs.write(dir.resolve("eight-bit.wav"), new double[4000], 8000, 8);
        assertBadInput(predict(good, eight), "eight-bit.wav", "8-bit", "16-bit");
    }

    @Test
    void aTruncatedWav() throws Exception {
        byte[] full = Files.readAllBytes(good);
        Path cut = Files.write(dir.resolve("cut.wav"), Arrays.copyOf(full, full.length / 2));
        assertBadInput(predict(cut), "cut.wav", "truncated");
        Path header = Files.write(dir.resolve("header.wav"), Arrays.copyOf(full, 20));
        assertBadInput(predict(header), "header.wav");
    }

    @Test
    void notAWavAtAll() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.wav"), "these are not samples");
        assertBadInput(predict(text), "notes.wav", "16-bit");
    }

    @Test
    void aMissingWav() {
        assertBadInput(predict(dir.resolve("nowhere.wav")), "nowhere.wav", "no such file");
    }

    @Test
    void anotherSampleRateOrTooShort() throws Exception {
        Path fast = Wavs.write(dir.resolve("fast.wav"), new double[16000], 16000, 16);
        assertBadInput(predict(fast), "fast.wav", "16000 Hz", "8000 Hz");
        Path blip = Wavs.write(dir.resolve("blip.wav"), new double[50], 8000, 16);
        assertBadInput(predict(blip), "blip.wav", "50 samples");
    }

    @Test
    void aModelFileThatIsNotASpeechModel() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "no model here");
        assertBadInput(Cli.run("speech", "predict", "--model", junk.toString(), good.toString()), "junk.safetensors", "not a speech model");
        Path linear = dir.resolve("linear.safetensors");
        Models.save(linear, new Linear(2, 3, true, Backends.get("cpu"), DType.FLOAT32, 1L));
        assertBadInput(Cli.run("speech", "predict", "--model", linear.toString(), good.toString()), "linear.safetensors", "Linear",
                "not a speech model");
        assertBadInput(Cli.run("speech", "predict", "--model", dir.resolve("none.safetensors").toString(), good.toString()), "none.safetensors",
                "no speech model", "speech connected");
    }

    @Test
    void aBadRecordingInTheDataDirectory() throws Exception {
        Path data = dir.resolve("bad-data");
        Wavs.extract(data, k -> k.speaker().equals("george") && k.index() < 2);
        Wavs.write(data.resolve("3_george_7.wav"), new double[3000], 8000, 8);
        assertBadInput(Cli.run("speech", "digits", "--data", data.toString(), "--max-steps", "1"), "3_george_7.wav", "8-bit");
        assertBadInput(Cli.run("speech", "digits", "--data", dir.resolve("no-such-dir").toString()), "no-such-dir", "not a directory");
    }

    @Test
    void badSpeechOptions() {
        assertBadInput(Cli.run("speech", "digits", "--speaker-out", "bob", "--limit", "1"), "--speaker-out bob", "george");
        assertBadInput(Cli.run("speech", "connected", "--cell", "transformer"), "transformer");
        assertBadInput(Cli.run("speech", "connected", "--strings", "0"), "--strings");
        assertBadInput(Cli.run("speech", "predict", "--beam", "-1", good.toString()), "--beam");
        assertBadInput(Cli.run("speech", "digits", "--validation", "0.7"), "--validation");
    }

    // ---- the stock forecast ----

    static Path csv(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    static String prices(int days, int emptyAt, String emptyColumn) {
        StringBuilder sb = new StringBuilder("date,open,close,volume\n");
        for (int t = 0; t < days; t++) {
            double p = 100 + 10 * Math.sin(t / 7.0);
            sb.append("d").append(t).append(',').append(emptyAt == t && emptyColumn.equals("open") ? "" : Double.toString(p)).append(',')
                    .append(emptyAt == t && emptyColumn.equals("close") ? "" : Double.toString(p + 1)).append(',')
                    .append(emptyAt == t && emptyColumn.equals("volume") ? "" : Integer.toString(1000 + t)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void anEmptyCsvColumn() throws Exception {
        Path f = csv("empty-volume.csv", prices(80, 31, "volume"));
        assertBadInput(Cli.run("forecast", "--csv", f.toString(), "--inputs", "open,close,volume", "--column", "close"), "empty-volume.csv",
                "line 33", "'volume'", "empty");
    }

    @Test
    void aColumnThatIsNotThereOrNotPositive() throws Exception {
        Path f = csv("prices.csv", prices(80, -1, ""));
        assertBadInput(Cli.run("forecast", "--csv", f.toString(), "--inputs", "open,adj_close"), "prices.csv", "no column 'adj_close'",
                "date, open, close, volume");
        Path zero = csv("zero.csv", prices(80, -1, "").replaceFirst("(?m)^d5,.*$", "d5,0,101,1005"));
        assertBadInput(Cli.run("forecast", "--csv", zero.toString(), "--inputs", "open,close"), "zero.csv", "line 7", "'open'", "positive");
        assertBadInput(Cli.run("forecast", "--csv", dir.resolve("gone.csv").toString(), "--inputs", "close"), "gone.csv", "no such file");
        Path shortOne = csv("short.csv", prices(12, -1, ""));
        assertBadInput(Cli.run("forecast", "--csv", shortOne.toString(), "--inputs", "close"), "short.csv", "12 days", "too few");
    }

    @Test
    void contradictoryForecastOptions() throws Exception {
        assertBadInput(Cli.run("forecast", "--data", "msft"), "--data msft", "airline or goog");
        assertBadInput(Cli.run("forecast", "--data", "goog", "--csv", "x.csv"), "--data goog", "--csv");
        assertBadInput(Cli.run("forecast", "--data", "goog", "--train", "50"), "--train", "airline");
        assertBadInput(Cli.run("forecast", "--data", "airline", "--inputs", "close"), "--inputs");
        assertBadInput(Cli.run("forecast", "--data", "goog", "--test-fraction", "1.5"), "--test-fraction");
    }
}
