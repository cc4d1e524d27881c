package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.backend.Backends;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Sequential;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * {@code translate} on a tiny slice of the bundled pairs (seconds): train, save, load through the model
 * file alone, predict from arguments and from standard input, and bad input.
 */
class TranslateTest {
    @TempDir
    static Path dir;

    static Path pairs;
    static Path model;
    static Cli.Result trained;

    /** The first 60 pairs of the bundled file, in its format. */
    @BeforeAll
    static void trainTiny() throws Exception {
        String text = org.rnn4j.examples.data.Bundled.text("translation/eng-fra-short.txt");
        List<String> lines = Arrays.asList(text.split("\n"));
        pairs = dir.resolve("pairs.txt");
        Files.writeString(pairs, String.join("\n", lines.subList(0, 60)) + "\n", StandardCharsets.UTF_8);
        model = dir.resolve("tiny.safetensors");
        trained = Cli.run("translate", "--pairs", pairs.toString(), "--model", model.toString(), "--hidden", "16", "--embedding", "8",
                "--heads", "2", "--batch", "16", "--max-steps", "4", "--minutes", "0", "--beam", "3", "--examples", "3", "--plain-progress");
    }

    @Test
    void trainsSavesAndPrintsTestBleuLast() {
        Cli.Result r = trained;
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.lastLine().matches("test BLEU: [01]\\.\\d{3}"), r::toString);
        assertTrue(r.out().contains("split (seed 1): train 48, validation 6, test 6"), r::toString);
        assertTrue(r.out().contains("end of run (step 4, inside epoch 2)") || r.out().contains("epoch "), r::toString);
        // three examples: source, reference, translation
        assertEquals(3, r.outLines().stream().filter(l -> l.startsWith("> ")).count(), r::toString);
        assertEquals(3, r.outLines().stream().filter(l -> l.startsWith("< ")).count(), r::toString);
        assertTrue(r.err().contains("translate epoch 1 step"), "progress on stderr:\n" + r);
        assertTrue(Files.exists(model), r::toString);
        assertTrue(Files.exists(dir.resolve("tiny-curves.png")) && Files.exists(dir.resolve("tiny-attention.png")), r::toString);
        assertTrue(Files.exists(dir.resolve("tiny-history.csv")), r::toString);
    }

    @Test
    void theModelFileRebuildsAloneAndPredictReproducesTheTestTranslations() throws Exception {
        // the file names its type, vocabularies and direction
        Backend cpu = Backends.get("cpu");
        org.rnn4j.examples.translate.Seq2Seq.register();
        Models.Loaded loaded = Models.load(model, cpu);
        assertEquals("Seq2Seq", loaded.model().typeName());
        assertEquals("fra->eng", loaded.metadata().get("direction"));
        Vocabulary source = loaded.vocabulary("source");
        assertTrue(source.contains("je") && source.has(Vocabulary.Special.EOS), source.toString());

        // the sources and beam-3 translations the training run printed
        List<String> sources = new ArrayList<>();
        List<String> translations = new ArrayList<>();
        for (String l : trained.outLines()) {
            if (l.startsWith("> ")) {
                sources.add(l.substring(2));
            } else if (l.startsWith("< ")) {
                translations.add(l.substring(2));
            }
        }
        List<String> args = new ArrayList<>(List.of("translate", "predict", "--model", model.toString(), "--beam", "3"));
        args.addAll(sources);
        Cli.Result p = Cli.run(args.toArray(String[]::new));
        assertEquals(0, p.code(), p::toString);
        Pattern row = Pattern.compile("^< (.*)  \\(score (-?\\d+\\.\\d{3})(, cut at the length limit)?\\)$");
        List<String> predicted = new ArrayList<>();
        for (String l : p.outLines()) {
            if (l.startsWith("< ")) {
                Matcher m = row.matcher(l);
                assertTrue(m.matches(), l);
                assertTrue(Double.parseDouble(m.group(2)) <= 0, "a mean log-probability: " + l);
                predicted.add(m.group(1));
            } else {
                assertTrue(sources.contains(l.substring(2)), l);
            }
        }
        assertEquals(translations, predicted, "the loaded model translates the test sentences as the trained one did:\n" + p);

        // standard input, one sentence per line, accents and case normalised
        InputStream old = System.in;
        Cli.Result s;
        try {
            System.setIn(new ByteArrayInputStream("Je suis fatigué.\n\n  Il est très grand !\n".getBytes(StandardCharsets.UTF_8)));
            s = Cli.run("translate", "predict", "--model", model.toString(), "--beam", "2", "--top", "2");
        } finally {
            System.setIn(old);
        }
        assertEquals(0, s.code(), s::toString);
        assertEquals(List.of("> je suis fatigue .", "> il est tres grand !"), s.outLines().stream().filter(l -> l.startsWith("> ")).toList(),
                s::toString);
        assertEquals(4, s.outLines().stream().filter(l -> l.startsWith("< ")).count(), s::toString);
    }

    @Test
    void reverseTranslatesEnglishToFrenchWithAnLstmAndMultiheadAttention() {
        Path m = dir.resolve("reverse.safetensors");
        Cli.Result r = Cli.run("translate", "--reverse", "--pairs", pairs.toString(), "--model", m.toString(), "--cell", "lstm", "--attention",
                "multihead", "--heads", "2", "--hidden", "8", "--embedding", "8", "--batch", "16", "--max-steps", "2", "--minutes", "0",
                "--beam", "2", "--plain-progress");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("translate eng -> fra: 60 pairs"), r::toString);
        assertTrue(r.lastLine().startsWith("test BLEU: "), r::toString);
        Cli.Result p = Cli.run("translate", "predict", "--model", m.toString(), "--beam", "1", "I'm sick.");
        assertEquals(0, p.code(), p::toString);
        assertEquals("> i m sick .", p.outLines().get(0), p::toString);
    }

    private static void assertBadInput(Cli.Result r, String... expected) {
        assertEquals(2, r.code(), r::toString);
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line:\n" + r);
        assertFalse(err.contains("Exception"), "no stack trace or exception name:\n" + r);
        for (String e : expected) {
            assertTrue(err.contains(e), "'" + e + "' in:\n" + err);
        }
    }

    @Test
    void badPairFiles() throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n\n");
        assertBadInput(Cli.run("translate", "--pairs", empty.toString(), "--max-steps", "1"), "empty.txt", "is empty", "--pairs");
        Path noTab = dir.resolve("notab.txt");
        Files.writeString(noTab, "I'm OK.\tJe vais bien.\nI'm fat.  Je suis gros.\n");
        assertBadInput(Cli.run("translate", "--pairs", noTab.toString(), "--max-steps", "1"), "notab.txt line 2 has no tab",
                "I'm fat.", "--pairs");
        assertBadInput(Cli.run("translate", "--pairs", dir.resolve("missing.txt").toString()), "missing.txt", "no such file");
        assertBadInput(Cli.run("translate", "--cell", "rnn"), "--cell rnn", "gru, lstm");
        assertBadInput(Cli.run("translate", "--attention", "multihead", "--hidden", "30", "--heads", "4"), "--heads 4", "--hidden 30");
    }

    @Test
    void modelFilesOfAnotherKind() throws Exception {
        Backend cpu = Backends.get("cpu");
        // a valid rnn4j model file holding another model
        Path other = dir.resolve("sequential.safetensors");
        Models.save(other, new Sequential(new Linear(3, 2, true, cpu, DType.FLOAT32, 1)));
        assertBadInput(Cli.run("translate", "predict", "--model", other.toString(), "je suis la ."), "sequential.safetensors",
                "not a translation model", "Sequential");
        // a plain safetensors file of weights
        Path weights = dir.resolve("weights.safetensors");
        SafeTensors.write(weights, Map.of("w", HostTensor.ofFloats(new float[] {1, 2}, 2)), Map.of());
        assertBadInput(Cli.run("translate", "predict", "--model", weights.toString(), "je suis la ."), "weights.safetensors",
                "not an rnn4j model file");
        // not a safetensors file at all
        Path junk = dir.resolve("junk.safetensors");
        Files.writeString(junk, "not a model");
        assertBadInput(Cli.run("translate", "predict", "--model", junk.toString(), "je suis la ."), "junk.safetensors");
        assertBadInput(Cli.run("translate", "predict", "--model", dir.resolve("none.safetensors").toString(), "je"), "no model file",
                "translate");
        assertBadInput(Cli.run("translate", "predict", "--model", model.toString(), "123 ;"), "empty after normalisation");
    }
}
