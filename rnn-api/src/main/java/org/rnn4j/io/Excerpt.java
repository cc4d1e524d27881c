package org.rnn4j.io;

/**
 * Bounds what an error message quotes from a file or from user input, so a huge or hostile value (a
 * 300 KB shape, a 10 MB tensor name, a binary metadata entry) never becomes a huge message.
 */
public final class Excerpt {
    /** Most characters of a value a message quotes before it is cut. */
    public static final int MAX_CHARS = 200;

    private Excerpt() {
    }

    /** {@code s} itself when at most {@link #MAX_CHARS} characters long, else its start, "..." and its length. */
    public static String of(String s) {
        return of(s, MAX_CHARS);
    }

    /**
     * {@code s} itself when at most {@code max} characters long, else its first {@code max} characters
     * followed by {@code "... (N characters)"}; {@code "null"} for null. Reads {@code s}; modifies nothing.
     *
     * @param max the most characters kept, at least 1
     */
    public static String of(String s, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("Excerpt.of: max = " + max + ", expected >= 1");
        }
        if (s == null) {
            return "null";
        }
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max; // never split a surrogate pair
        return s.substring(0, end) + "... (" + s.length() + " characters)";
    }
}
