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

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("charrnn", "--verbose", "--text", dir.resolve("nope.txt").toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("\tat "), r::toString);
    }
}
