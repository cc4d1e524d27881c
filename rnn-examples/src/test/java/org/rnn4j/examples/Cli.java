package org.rnn4j.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Runs the CLI in-process, capturing stdout and stderr. */
final class Cli {
    record Result(int code, String out, String err) {
        List<String> outLines() {
            return Arrays.asList(out.strip().split("\r?\n"));
        }

        String lastLine() {
            List<String> l = outLines();
            return l.get(l.size() - 1);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The first {@code chars} characters of tiny-shakespeare, written to a file in {@code dir}. */
    static Path shakespeare(Path dir, int chars) throws Exception {
        String text = org.rnn4j.examples.data.Bundled.text(org.rnn4j.examples.data.Bundled.SHAKESPEARE);
        Path f = dir.resolve("shakespeare-" + chars + ".txt");
        Files.writeString(f, text.substring(0, chars), StandardCharsets.UTF_8);
        return f;
    }

    /** Options of a tiny, seconds-long charrnn run on {@code text}. */
    static String[] tinyCharRnn(Path text, Path checkpoint, String... more) {
        String[] base = {"charrnn", "--text", text.toString(), "--checkpoint", checkpoint.toString(), "--out-dir",
            checkpoint.getParent().toString(), "--hidden", "24", "--embedding", "8", "--batch", "4", "--seq", "16", "--eval-every", "3",
            "--eval-chars", "400", "--sample-length", "20", "--minutes", "0", "--plain-progress"};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
