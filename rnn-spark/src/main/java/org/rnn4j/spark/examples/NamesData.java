package org.rnn4j.spark.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The surname data set (18 languages) bundled in the jar: PyTorch's tutorial data. */
public final class NamesData {
    /** The languages, in class order. */
    public static final List<String> LANGUAGES = List.of("Arabic", "Chinese", "Czech", "Dutch", "English", "French", "German", "Greek",
            "Irish", "Italian", "Japanese", "Korean", "Polish", "Portuguese", "Russian", "Scottish", "Spanish", "Vietnamese");

    /** One surname and its language's index in {@link #LANGUAGES}; {@code ids} are its characters' vocabulary ids. */
    public record Name(String name, int label, int[] ids) implements Serializable {
    }

    private NamesData() {
    }

    /** Every (surname, language) pair of the data set, language by language, without empty lines. */
    public static List<String[]> load() {
        List<String[]> out = new ArrayList<>();
        for (String lang : LANGUAGES) {
            String res = "/data/names/" + lang + ".txt";
            try (InputStream in = NamesData.class.getResourceAsStream(res)) {
                if (in == null) {
                    throw new IllegalStateException("the names data set is missing from the class path: " + res);
                }
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    String n = line.strip();
                    if (!n.isEmpty()) {
                        out.add(new String[] {n, lang});
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + res, e);
            }
        }
        return out;
    }
}
