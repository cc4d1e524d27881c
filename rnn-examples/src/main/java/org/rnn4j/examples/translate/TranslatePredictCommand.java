package org.rnn4j.examples.translate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.models.ModelFormatException;
import org.rnn4j.models.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code translate predict SENTENCE...}: translations from a model file written by {@code translate}. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Translates each SENTENCE (or each line of standard input when none is given) with a model written by "
            + "'translate', loaded from the model file alone.", "",
            "Prints '> ' and the normalised sentence, then the --top best translations as '< TRANSLATION  (score S)', S being "
            + "the mean log-probability per token (the end token included) that the beam search ranks by."})
public final class TranslatePredictCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "FILE", defaultValue = "rnn4j-output/translate-fra-eng.safetensors",
            description = "Model file written by 'translate' (default: ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--beam", defaultValue = "5", paramLabel = "K", description = "Beam width; 1 = greedy (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--top", defaultValue = "1", paramLabel = "N",
            description = "Translations printed per sentence, at most the beam width (default: ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "SENTENCE", arity = "0..*", description = "Sentences in the model's source language.")
    List<String> sentences;

    @Override
    public Integer call() throws IOException {
        TranslateCommand.positive("--beam", beam);
        TranslateCommand.positive("--top", top);
        if (top > beam) {
            throw new UserError("--top " + top + " is more than --beam " + beam + "; the search keeps only --beam translations");
        }
        List<String> inputs = sentences != null && !sentences.isEmpty() ? sentences : stdinLines();
        if (inputs.isEmpty()) {
            throw new UserError("no sentence to translate; pass sentences as arguments or lines on standard input");
        }
        List<String> normalized = new ArrayList<>(inputs.size());
        for (String s : inputs) {
            String n = Pairs.normalize(s);
            if (n.isEmpty()) {
                throw new UserError("sentence '" + s + "' is empty after normalisation (only letters and . ! ? are kept); "
                        + "pass a sentence such as \"je suis tres fatigue .\"");
            }
            normalized.add(n);
        }
        String hint = "train one with 'java -jar rnn4j.jar translate' or pass --model FILE";
        Seq2Seq.register();
        Models.Loaded loaded;
        try {
            loaded = Models.load(model, common.backend());
        } catch (NoSuchFileException e) {
            throw new UserError("no model file at " + model + "; " + hint, e);
        } catch (AccessDeniedException e) {
            throw new UserError("cannot read " + model + ": permission denied; check the file's permissions", e);
        } catch (SafeTensorsFormatException e) {
            throw new UserError(model + " is not a valid model file (" + firstLine(e.getMessage()) + "); " + hint, e);
        } catch (ModelFormatException e) {
            throw new UserError(model + " is not a translation model: " + firstLine(e.getMessage()) + "; " + hint, e);
        }
        Seq2Seq seq2seq;
        Vocabulary source;
        Vocabulary target;
        try {
            seq2seq = loaded.model(Seq2Seq.class);
            source = loaded.vocabulary("source");
            target = loaded.vocabulary("target");
        } catch (ModelFormatException e) {
            throw new UserError(model + " is not a translation model: " + firstLine(e.getMessage()) + "; " + hint, e);
        }
        String direction = loaded.metadata().getOrDefault("direction", "?");
        if (common.verbose) {
            System.err.println("translate predict: " + model + " (" + direction + "), " + seq2seq.settings().describe());
        }
        Translator translator = new Translator(seq2seq, source, target);
        List<List<Translator.Translation>> all = translator.translateAll(normalized, beam, top);
        for (int i = 0; i < normalized.size(); i++) {
            System.out.println("> " + normalized.get(i));
            for (Translator.Translation t : all.get(i)) {
                System.out.printf(Locale.ROOT, "< %s  (score %.3f%s)%n", t.words(), t.score() / (beam == 1 ? Math.max(1, length(t)) : 1),
                        t.finished() ? "" : ", cut at the length limit");
            }
        }
        return 0;
    }

    /** Tokens a translation generated, its end token included (the divisor of the length-normalised score). */
    private static int length(Translator.Translation t) {
        return (t.words().isEmpty() ? 0 : t.words().split(" ").length) + (t.finished() ? 1 : 0);
    }

    private static List<String> stdinLines() throws IOException {
        List<String> out = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (!line.isBlank()) {
                out.add(line);
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
