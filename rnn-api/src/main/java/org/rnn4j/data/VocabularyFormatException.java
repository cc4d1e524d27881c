package org.rnn4j.data;

/**
 * A stored vocabulary (a safetensors tensor of code points, or the JSON of a vocabulary in a file's
 * metadata) is missing or invalid: empty, a duplicate token, an invalid code point, a wrong dtype or
 * shape, malformed JSON, a special token id out of range. The message names the source, the
 * vocabulary's name and what was found and expected.
 */
public final class VocabularyFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String source;

    VocabularyFormatException(String source, String message, Throwable cause) {
        super(message, cause);
        this.source = source;
    }

    /** Where the vocabulary was read from (a file name), as given to the loading method. */
    public String source() {
        return source;
    }
}
