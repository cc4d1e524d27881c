package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: one line on stderr naming the problem and the fix, exit code 2, no stack trace. */
class BadInputTest {
    @TempDir
    static Path dir;
    static Path text;
    static Path charCkpt;

    @BeforeAll
    static void trainTinyCharRnn() throws Exception {
        text = Cli.shakespeare(dir, 6000);
        charCkpt = dir.resolve("c.safetensors");
        Cli.Result r = Cli.run(Cli.tinyCharRnn(text, charCkpt, "--max-steps", "2", "--sample-length", "0"));
        assertEquals(0, r.code(), r::toString);
    }

    /** Exit 2, exactly one stderr line starting {@code rnn4j: }, containing every {@code expected} fragment, no stack trace. */
    static void assertBadInput(Cli.Result r, String... expected) {
        assertEquals(2, r.code(), r::toString);
        String err = r.err().strip();
        String[] lines = err.split("\r?\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("rnn4j: "), r::toString);
        for (String e : expected) {
            assertTrue(last.contains(e), "expected '" + e + "' in: " + last);
        }
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace or exception name:\n" + err);
        for (String l : lines) {
            assertTrue(l.startsWith("rnn4j: ") || l.startsWith("charrnn ") || l.startsWith("names ") || l.startsWith("note: "),
                    "only the error line (and progress/notes) on stderr:\n" + err);
        }
    }

    @Test
    void missingTextFile() {
        assertBadInput(Cli.run("charrnn", "--text", dir.resolve("nope.txt").toString()), "nope.txt", "no such file", "--text");
    }

    @Test
    void emptyText() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        assertBadInput(Cli.run("charrnn", "--text", empty.toString()), "empty", "--text");
    }

    @Test
    void textTooShortForTheBatch() throws Exception {
        Path small = Files.writeString(dir.resolve("small.txt"), "To be or not to be");
        assertBadInput(Cli.run("charrnn", "--text", small.toString()), "too few", "--batch");
    }

    @Test
    void csvWithoutTheColumn() throws Exception {
        Path csv = Files.writeString(dir.resolve("a.csv"), "month,sales\n1,3\n2,4\n");
        assertBadInput(Cli.run("forecast", "--csv", csv.toString(), "--column", "passengers"), "no column 'passengers'",
                "month, sales", "--column");
    }

    @Test
    void csvWithNonNumericValues() throws Exception {
        StringBuilder sb = new StringBuilder("month,sales\n");
        for (int i = 0; i < 30; i++) {
            sb.append(i).append(',').append(i == 7 ? "n/a" : Integer.toString(10 + i)).append('\n');
        }
        Path csv = Files.writeString(dir.resolve("b.csv"), sb);
        assertBadInput(Cli.run("forecast", "--csv", csv.toString(), "--column", "sales", "--train", "20"), "line 9", "'n/a'",
                "not a finite number");
    }

    @Test
    void missingCsv() {
        assertBadInput(Cli.run("forecast", "--csv", dir.resolve("missing.csv").toString()), "missing.csv", "no such file");
    }

    @Test
    void resumeWithAnotherModelShape() {
        assertBadInput(Cli.run(Cli.tinyCharRnn(text, charCkpt, "--resume", "--hidden", "32", "--max-steps", "3")), "another shape",
                "--hidden 24");
    }

    @Test
    void resumeOnTextWithAnotherVocabulary() throws Exception {
        Path other = Files.writeString(dir.resolve("other.txt"), "ž".repeat(10) + Files.readString(text));
        assertBadInput(Cli.run(Cli.tinyCharRnn(other, charCkpt, "--resume", "--max-steps", "3")), "vocabulary", "'ž'",
                "without --resume");
    }

    @Test
    void resumeWithoutACheckpoint() {
        assertBadInput(Cli.run(Cli.tinyCharRnn(text, dir.resolve("none.safetensors"), "--resume")), "no checkpoint", "without --resume");
    }

    @Test
    void checkpointOfAnotherKindOrCorrupt() throws Exception {
        assertBadInput(Cli.run("names", "predict", "--checkpoint", charCkpt.toString(), "Smith"), "not a names model");
        Path junk = Files.writeString(dir.resolve("junk.safetensors"), "not a checkpoint at all");
        assertBadInput(Cli.run("charrnn", "sample", "--checkpoint", junk.toString()), "junk.safetensors", "not a valid safetensors");
        // the layout of the examples before they saved model files
        Path old = dir.resolve("old.safetensors");
        org.rnn4j.io.SafeTensors.write(old, java.util.Map.of("vocab", org.rnn4j.io.HostTensor.ofInts(new int[] {65, 66}, 2)),
                java.util.Map.of("model", "charrnn"));
        assertBadInput(Cli.run("charrnn", "sample", "--checkpoint", old.toString()), "is not a model file", "train one first");
    }

    @Test
    void primeOutsideTheVocabulary() {
        assertBadInput(Cli.run("charrnn", "sample", "--checkpoint", charCkpt.toString(), "--prime", "ROMEO€"), "'€'", "vocabulary");
    }

    @Test
    void unknownBackend() {
        assertBadInput(Cli.run("forecast", "--backend", "cuad"), "Unknown backend 'cuad'", "Installed: ", "backends");
    }

    @Test
    void badOptionsAndValues() {
        assertBadInput(Cli.run("charrnn", "--bogus"), "Unknown option", "--help");
        assertBadInput(Cli.run("names", "--hidden", "many"), "--hidden", "--help");
        assertBadInput(Cli.run("names", "--cell", "transformer"), "transformer", "classic, rnn, lstm, gru");
        assertBadInput(Cli.run("charrnn", "--temperature", "0", "--max-steps", "1"), "--temperature");
        assertBadInput(Cli.run("forecast", "--threads", "-1"), "--threads");
        assertBadInput(Cli.run("nonsense"), "nonsense");
    }

    /** Issue 9, defect 6: --threads is bounded; 100000 used to create ~30,000 threads and die after 25 s. */
    @Test
    void threadsAreBounded() {
        long t0 = System.nanoTime();
        assertBadInput(Cli.run(Cli.tinyCharRnn(text, dir.resolve("t.safetensors"), "--threads", "100000", "--max-steps", "2")),
                "--threads 100000", "more than the " + org.rnn4j.examples.cli.CommonOptions.maxThreads() + " allowed");
        assertTrue(System.nanoTime() - t0 < 20e9, "refused at once");
        assertTrue(org.rnn4j.examples.cli.CommonOptions.maxThreads() >= 256);
    }

    /** Issue 9, defect 8: --backend '' and --minutes -1 or NaN are refused. */
    @Test
    void emptyBackendAndBadMinutes() {
        assertBadInput(Cli.run("forecast", "--backend", ""), "--backend ''", "backends");
        assertBadInput(Cli.run("forecast", "--backend", "  "), "--backend '  '");
        assertBadInput(Cli.run(Cli.tinyCharRnn(text, dir.resolve("m.safetensors"), "--minutes", "-1")), "--minutes -1.0", ">= 0");
        assertBadInput(Cli.run(Cli.tinyCharRnn(text, dir.resolve("m.safetensors"), "--minutes", "NaN")), "--minutes NaN");
        assertBadInput(Cli.run("names", "--minutes", "-1"), "--minutes -1.0");
        assertBadInput(Cli.run("forecast", "--minutes", "NaN"), "--minutes NaN");
        assertBadInput(Cli.run("forecast", "--minutes", "Infinity"), "--minutes Infinity");
        assertBadInput(Cli.run("custom-cell", "--minutes", "-2"), "--minutes -2.0");
    }

    /**
     * Issue 9, defect 7: sizes that cannot fit are refused at once with the estimate and the limit (they
     * used to die with OutOfMemoryError after seconds), and sizes whose products overflow with the
     * tensor that cannot be held (they used to say "shape [-4, 64] has a zero or negative extent").
     */
    @Test
    void sizesThatCannotFitAreRefusedWithTheEstimateAndTheLimit() {
        assertBadInput(Cli.run(Cli.tinyCharRnn(text, dir.resolve("h.safetensors"), "--hidden", "2147483647")), "weight_ih_l0",
                "[8589934588, 8]", "one tensor can hold", "lower --hidden");
        assertBadInput(Cli.run("forecast", "--hidden", "2147483647"), "the forecast model", "one tensor can hold", "--hidden");
        assertBadInput(Cli.run("names", "--hidden", "2147483647"), "the names model", "one tensor can hold");
        assertBadInput(Cli.run("custom-cell", "--hidden", "2147483647"), "one tensor can hold");
        String limit = String.format(java.util.Locale.ROOT, "%.2f GiB", Runtime.getRuntime().maxMemory() / (double) (1L << 30));
        assertBadInput(Cli.run(Cli.tinyCharRnn(text, dir.resolve("h.safetensors"), "--hidden", "20000", "--layers", "1000")),
                "the charrnn model (LSTM x1000, hidden 20000", "TiB of memory to train", "at most " + limit, "Runtime.maxMemory",
                "lower --hidden, --layers");
        assertFalse(java.nio.file.Files.exists(dir.resolve("h.safetensors")));
    }

    /** Issue 9, defect 8: a text too short names the limit that failed, and the length it needs is exact. */
    @Test
    void tooShortTextNamesTheRightLimitAndTheExactLength() throws Exception {
        Path t = Cli.shakespeare(dir, 300);
        assertBadInput(Cli.run(Cli.tinyCharRnn(t, dir.resolve("v.safetensors"), "--validation", "0.001")), "validation part",
                "has 0 characters", "needs at least 2", "raise --validation");
        assertFalse(Cli.run(Cli.tinyCharRnn(t, dir.resolve("v.safetensors"), "--validation", "0.001")).err().contains("--batch"));
        // --batch 4 --seq 16 --validation 0.1: 65 training characters (4 x 16 + 1) and 2 for validation need 72 in all
        Cli.Result r = Cli.run(Cli.tinyCharRnn(Cli.shakespeare(dir, 71), dir.resolve("v.safetensors"), "--max-steps", "1"));
        assertBadInput(r, "has 71 characters", "training part (64 characters", "needs at least 65 for --batch 4 --seq 16",
                "the text needs at least 72 characters");
        Cli.Result ok = Cli.run(Cli.tinyCharRnn(Cli.shakespeare(dir, 72), dir.resolve("v.safetensors"), "--max-steps", "1",
                "--sample-length", "0"));
        assertEquals(0, ok.code(), ok::toString);
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("charrnn", "--verbose", "--text", dir.resolve("nope.txt").toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("\tat "), r::toString);
    }
}
