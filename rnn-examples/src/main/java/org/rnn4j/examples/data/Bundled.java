package org.rnn4j.examples.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import org.rnn4j.examples.cli.UserError;

/** The data sets bundled in the jar under {@code /data}, and reading user-supplied text files. */
public final class Bundled {
    public static final String SHAKESPEARE = "tinyshakespeare.txt";
    public static final String AIRLINE = "airline-passengers.csv";

    private Bundled() {
    }

    /** The bundled resource {@code data/NAME} as UTF-8 text. */
    public static String text(String name) {
        try (InputStream in = Bundled.class.getResourceAsStream("/data/" + name)) {
            if (in == null) {
                throw new UserError("bundled data file data/" + name + " is missing from the jar; rebuild with "
                        + "'mvn -B -q package -DskipTests' or pass your own file");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The text of a user's file (UTF-8), or a {@link UserError} naming the file, the problem and
     * {@code optionHint}, the option that chose it.
     */
    public static String readFile(Path file, String optionHint) {
        if (Files.isDirectory(file)) {
            throw new UserError(optionHint + " " + file + " is a directory; pass a file");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserError("cannot read " + file + ": no such file; check the path given to " + optionHint);
        } catch (AccessDeniedException e) {
            throw new UserError("cannot read " + file + ": permission denied; check the file's permissions or pass another file to "
                    + optionHint);
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage() + "; pass another file to " + optionHint);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UserError(file + " is not UTF-8 text; convert it (e.g. iconv -t UTF-8) or pass another file to " + optionHint);
        }
    }
}
