package org.rnn4j.examples.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.rnn4j.data.Splits;
import org.rnn4j.examples.cli.UserError;

/**
 * The surname data set: one text file per language, one name per line (the classic 18-language set is
 * bundled). Names are normalised to NFD with combining marks removed ("Śmigielski" becomes
 * "Smigielski"), as PyTorch's tutorial does.
 */
public final class NamesData {
    /** The bundled languages, in label order. */
    public static final List<String> BUNDLED_LANGUAGES = List.of("Arabic", "Chinese", "Czech", "Dutch", "English", "French",
            "German", "Greek", "Irish", "Italian", "Japanese", "Korean", "Polish", "Portuguese", "Russian", "Scottish",
            "Spanish", "Vietnamese");

    /** A name and its language's index. */
    public record Example(String name, int label) {
    }

    /** The three parts of a stratified split. */
    public record Split(List<Example> train, List<Example> validation, List<Example> test) {
    }

    private final List<String> languages;
    private final List<Example> examples;

    private NamesData(List<String> languages, List<Example> examples) {
        this.languages = List.copyOf(languages);
        this.examples = List.copyOf(examples);
    }

    /** The bundled data set. */
    public static NamesData bundled() {
        List<Example> all = new ArrayList<>();
        for (int l = 0; l < BUNDLED_LANGUAGES.size(); l++) {
            addLines(all, Bundled.text("names/" + BUNDLED_LANGUAGES.get(l) + ".txt"), l);
        }
        return new NamesData(BUNDLED_LANGUAGES, all);
    }

    /** A directory of {@code LANGUAGE.txt} files (UTF-8, one name per line); languages sorted by file name. */
    public static NamesData fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserError("--data " + dir + " is not a directory; pass a directory of LANGUAGE.txt files (one name per line)");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".txt") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new UserError("cannot list --data " + dir + ": " + e.getMessage() + "; check the directory's permissions");
        }
        if (files.size() < 2) {
            throw new UserError("--data " + dir + " holds " + files.size() + " .txt file(s); a classifier needs at least two "
                    + "(one LANGUAGE.txt per class, one name per line)");
        }
        List<String> languages = new ArrayList<>();
        List<Example> all = new ArrayList<>();
        for (Path f : files) {
            String fileName = f.getFileName().toString();
            int before = all.size();
            addLines(all, Bundled.readFile(f, "--data"), languages.size());
            if (all.size() == before) {
                throw new UserError("--data file " + f + " holds no names; put one name per line or remove the file");
            }
            languages.add(fileName.substring(0, fileName.length() - 4));
        }
        return new NamesData(languages, all);
    }

    private static void addLines(List<Example> out, String text, int label) {
        for (String line : text.split("\r?\n")) {
            String n = normalize(line);
            if (!n.isEmpty()) {
                out.add(new Example(n, label));
            }
        }
    }

    /** NFD with combining marks removed, trimmed. */
    public static String normalize(String raw) {
        String d = Normalizer.normalize(raw.strip(), Normalizer.Form.NFD);
        StringBuilder sb = new StringBuilder(d.length());
        d.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    public List<String> languages() {
        return languages;
    }

    public List<Example> examples() {
        return examples;
    }

    /**
     * A split stratified by language and seeded ({@link Splits#stratified}): each language's names go
     * {@code testFraction} to the test set, {@code validationFraction} to validation and the rest to
     * training, each part within one name of its share.
     */
    public Split split(long seed, double validationFraction, double testFraction) {
        int[] labels = examples.stream().mapToInt(Example::label).toArray();
        List<int[]> parts = Splits.stratified(labels, seed, 1 - validationFraction - testFraction, validationFraction, testFraction);
        List<List<Example>> lists = new ArrayList<>();
        for (int[] part : parts) {
            lists.add(Arrays.stream(part).mapToObj(examples::get).toList());
        }
        return new Split(lists.get(0), lists.get(1), lists.get(2));
    }
}
