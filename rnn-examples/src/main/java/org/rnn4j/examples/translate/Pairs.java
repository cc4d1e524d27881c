package org.rnn4j.examples.translate;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.Bundled;

/**
 * Sentence pairs for translation: reading tab-separated pair files and the normalisation of PyTorch's
 * seq2seq tutorial.
 */
final class Pairs {
    /** The bundled English-French pairs (English TAB French), under {@code data/} in the jar. */
    static final String BUNDLED = "translation/eng-fra-short.txt";

    private static final Pattern COMBINING = Pattern.compile("\\p{Mn}+");
    private static final Pattern SENTENCE_PUNCTUATION = Pattern.compile("([.!?])");
    private static final Pattern OTHER = Pattern.compile("[^a-z.!?]+");

    /**
     * One normalised pair.
     *
     * @param source the sentence to translate, normalised (tokens separated by single spaces)
     * @param target its translation, normalised
     * @param line   the line of the file it came from (1-based)
     */
    record Pair(String source, String target, int line) {
    }

    /**
     * What was read: the pairs, and how many lines were left out because one side was empty after
     * normalisation.
     */
    record Loaded(List<Pair> pairs, int skipped, String origin) {
    }

    private Pairs() {
    }

    /**
     * The normalisation of PyTorch's seq2seq tutorial: lower case, accents stripped (Unicode NFD with the
     * combining marks dropped), {@code . ! ?} split off as tokens of their own, every other run of
     * non-letters (digits, apostrophes, other punctuation) turned into one space, ends trimmed. For
     * example {@code "J'ai froid."} becomes {@code "j ai froid ."}.
     */
    static String normalize(String s) {
        String lower = s.toLowerCase(Locale.ROOT).strip();
        String ascii = COMBINING.matcher(Normalizer.normalize(lower, Normalizer.Form.NFD)).replaceAll("");
        String spaced = SENTENCE_PUNCTUATION.matcher(ascii).replaceAll(" $1");
        return OTHER.matcher(spaced).replaceAll(" ").strip();
    }

    /** The bundled pairs. */
    static Loaded bundled(boolean reverse) {
        return parse(Bundled.text(BUNDLED), "bundled " + BUNDLED, reverse, "--pairs");
    }

    /** The pairs of a user's file (UTF-8); failures name the file and the option. */
    static Loaded read(Path file, boolean reverse) {
        return parse(Bundled.readFile(file, "--pairs"), file.toString(), reverse, "--pairs");
    }

    /**
     * Parses pair lines {@code FIRST<TAB>SECOND[<TAB>anything]} (later columns, such as the attribution
     * column of newer Anki files, are ignored; blank lines are skipped). The source side is the second
     * column (French in the bundled file) and the target the first, or the other way round when
     * {@code reverse}.
     *
     * @throws UserError for an empty file, a line without a tab (naming its number) or a file without any
     *                   usable pair
     */
    static Loaded parse(String text, String origin, boolean reverse, String option) {
        String[] lines = text.split("\r?\n", -1);
        List<Pair> out = new ArrayList<>();
        int skipped = 0;
        boolean any = false;
        for (int i = 0; i < lines.length; i++) {
            String line = i == 0 && lines[i].startsWith("\uFEFF") ? lines[i].substring(1) : lines[i];
            if (line.isBlank()) {
                continue;
            }
            any = true;
            int tab = line.indexOf('\t');
            if (tab < 0) {
                String shown = line.length() > 60 ? line.substring(0, 60) + "..." : line;
                throw new UserError(origin + " line " + (i + 1) + " has no tab: '" + shown + "'; each line must be FIRST<TAB>SECOND "
                        + "(English<TAB>French for the bundled direction); fix the file or pass another with " + option);
            }
            int end = line.indexOf('\t', tab + 1);
            String first = normalize(line.substring(0, tab));
            String second = normalize(end < 0 ? line.substring(tab + 1) : line.substring(tab + 1, end));
            if (first.isEmpty() || second.isEmpty()) {
                skipped++;
                continue;
            }
            out.add(reverse ? new Pair(first, second, i + 1) : new Pair(second, first, i + 1));
        }
        if (!any) {
            throw new UserError(origin + " is empty: it holds no sentence pairs; pass a file of FIRST<TAB>SECOND lines with " + option);
        }
        if (out.size() < 10) {
            throw new UserError(origin + " holds " + out.size() + " usable sentence pair" + (out.size() == 1 ? "" : "s")
                    + " (each side must keep a letter or . ! ? after normalisation); at least 10 are needed for the train/validation/test "
                    + "split; pass a larger file with " + option);
        }
        return new Loaded(List.copyOf(out), skipped, origin);
    }

    /** The number of whitespace-separated tokens of a normalised sentence. */
    static int words(String normalized) {
        return normalized.isEmpty() ? 0 : normalized.split(" ").length;
    }
}
