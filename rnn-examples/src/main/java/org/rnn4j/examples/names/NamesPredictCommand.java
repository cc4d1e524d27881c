package org.rnn4j.examples.names;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnn4j.data.Collate;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.ModelFiles;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.NamesData;
import org.rnn4j.io.Excerpt;
import org.rnn4j.models.Models;
import org.rnn4j.models.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code names predict NAME...}: the three most likely languages of each name, from a saved model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Prints the three most likely languages of each NAME with their probabilities, from a checkpoint written by 'names'.")
public final class NamesPredictCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--checkpoint", paramLabel = "FILE", defaultValue = "rnn4j-output/names-gru.safetensors",
            description = "Checkpoint written by 'names' (default: ${DEFAULT-VALUE}).")
    Path checkpoint;

    @Option(names = "--top", defaultValue = "3", paramLabel = "K", description = "How many languages to print (default: ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Surnames to classify.")
    List<String> names;

    @Override
    public Integer call() {
        NamesCommand.positive("--top", top);
        List<int[]> ids = new ArrayList<>();
        String hint = "train one first with 'java -jar rnn4j.jar names' or pass --checkpoint FILE";
        Models.Loaded loaded = ModelFiles.load(checkpoint, common.backend(), hint);
        NamesModel model = ModelFiles.model(loaded, NamesModel.class, NamesCommand.VOCAB, checkpoint, "names model", hint);
        Vocabulary vocab = ModelFiles.vocabulary(loaded, NamesCommand.VOCAB, model.vocabularySize(), checkpoint, hint);
        List<String> languages = languages(loaded.metadata().get("languages"), model.classes(), hint);
        for (String n : names) {
            String norm = NamesData.normalize(n);
            if (norm.isEmpty()) {
                throw new UserError("name '" + n + "' is empty after normalisation; pass a surname such as Dostoevsky");
            }
            ids.add(vocab.encode(norm));
        }
        // batched inference without a graph; each name's probabilities in input order
        Predictor<NamesModel, int[], double[]> predictor = new Predictor<>(model, 256, (m, batch) -> {
            double[] lp = m.forward(Collate.pad(batch, 0)).value().toDoubleArray();
            List<double[]> rows = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                rows.add(Arrays.stream(lp, i * languages.size(), (i + 1) * languages.size()).map(Math::exp).toArray());
            }
            return rows;
        });
        List<double[]> probabilities = predictor.predict(ids);
        for (int i = 0; i < names.size(); i++) {
            double[] p = probabilities.get(i);
            StringBuilder sb = new StringBuilder(names.get(i)).append(':');
            java.util.stream.IntStream.range(0, p.length).boxed().sorted((a, b) -> Double.compare(p[b], p[a])).limit(top)
                    .forEach(k -> sb.append(String.format(Locale.ROOT, "  %s %.3f", languages.get(k), p[k])));
            System.out.println(sb);
        }
        return 0;
    }

    /**
     * The class names of the metadata entry {@code languages} (one per line): exactly {@code classes},
     * each non-empty, none twice; else the checkpoint is damaged.
     */
    private List<String> languages(String entry, int classes, String hint) {
        if (entry == null) {
            throw new UserError("checkpoint " + checkpoint + " lacks the metadata entry 'languages'; it is not a names checkpoint; " + hint);
        }
        List<String> languages = Arrays.asList(entry.split("\n", -1));
        String problem = null;
        if (languages.size() != classes) {
            problem = "lists " + languages.size() + " languages for a model of " + classes + " classes";
        } else if (languages.stream().anyMatch(String::isBlank)) {
            problem = "lists an empty language name";
        } else if (new HashSet<>(languages).size() != languages.size()) {
            problem = "lists a language twice";
        }
        if (problem != null) {
            throw new UserError("checkpoint " + checkpoint + " is damaged: its metadata 'languages' " + problem + " ("
                    + Excerpt.of(String.join(", ", languages), 120) + "); " + hint);
        }
        return languages;
    }
}
