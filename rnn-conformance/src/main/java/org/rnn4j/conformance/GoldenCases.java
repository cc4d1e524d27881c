package org.rnn4j.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where golden cases come from: the bundled ones (class-path resources listed in
 * {@code golden/index.txt}) and, when the system property {@value #EXTRA_DIR_PROPERTY} names a folder,
 * every {@code *.safetensors} file in it.
 */
public final class GoldenCases {
    /** System property naming an extra folder of cases (passed through Surefire by the parent pom). */
    public static final String EXTRA_DIR_PROPERTY = "rnn4j.golden.dir";

    private GoldenCases() {
    }

    /** Names (without extension) of the bundled cases. */
    public static List<String> bundledNames() {
        try (InputStream in = resource("golden/index.txt")) {
            List<String> names = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    line = line.trim();
                    if (!line.isEmpty() && !line.startsWith("#")) {
                        names.add(line.replaceFirst("\\.safetensors$", ""));
                    }
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads a bundled case by name. */
    public static GoldenCase bundled(String name) {
        try (InputStream in = resource("golden/" + name + ".safetensors")) {
            return GoldenCase.read(name, in);
        } catch (IOException e) {
            throw new UncheckedIOException("golden case " + name + ": " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String path) {
        InputStream in = GoldenCases.class.getClassLoader().getResourceAsStream(path);
        if (in == null) {
            throw new IllegalStateException("Missing class-path resource " + path + " (rnn-conformance jar incomplete?)");
        }
        return in;
    }

    /**
     * The {@code *.safetensors} files of the extra folder, sorted by name; empty when the property is unset
     * or blank. A property naming a folder that does not exist or holds no case is an error.
     */
    public static List<Path> extraFiles() {
        String dir = System.getProperty(EXTRA_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return List.of();
        }
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException("-D" + EXTRA_DIR_PROPERTY + "=" + dir + " is not a folder (absolute: " + p.toAbsolutePath() + ")");
        }
        try (Stream<Path> s = Files.list(p)) {
            List<Path> files = s.filter(f -> f.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("-D" + EXTRA_DIR_PROPERTY + "=" + dir + " holds no *.safetensors case");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
