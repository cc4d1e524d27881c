package org.rnn4j.examples.names;

import org.rnn4j.spi.ComputeBackend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnn4j.autograd.Grad;
import org.rnn4j.tensor.Backend;
import org.rnn4j.examples.cli.CheckpointFiles;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.Footprint;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.NamesData;
import org.rnn4j.examples.data.Vocabulary;
import org.rnn4j.examples.nn.Layers;
import org.rnn4j.io.Excerpt;
import org.rnn4j.io.SafeTensorsIndex;
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

    /**
     * The class names of the metadata entry {@code languages} (one per line): exactly {@code classes},
     * each non-empty, none twice; else the checkpoint is damaged.
     */
    private List<String> languages(String entry, int classes, String hint) {
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

    @Override
    public Integer call() {
        NamesCommand.positive("--top", top);
        String hint = "train one first with 'java -jar rnn4j.jar names' or pass --checkpoint FILE";
        SafeTensorsIndex file = CheckpointFiles.read(checkpoint, hint);
        if (!"names".equals(file.metadata().get("model"))) {
            throw new UserError("checkpoint " + checkpoint + " is not a names model (model=" + Excerpt.of(file.metadata().get("model"), 60)
                    + "); " + hint);
        }
        NamesModel.Config config = NamesModel.Config.fromMetadata(file.metadata(), checkpoint);
        List<String> languages = languages(CheckpointFiles.meta(file.metadata(), "languages", checkpoint, "names"), config.classes(), hint);
        Footprint footprint = config.footprint(names.size(), names.stream().mapToInt(String::length).max().orElse(1),
                "pass another --checkpoint");
        CheckpointFiles.requireHolds(file, footprint.parameterCount(), hint);
        footprint.check(false);
        Vocabulary vocab = CheckpointFiles.vocabulary(file, config.vocabulary(), hint);
        Backend backend = common.backend();
        NamesModel model = new NamesModel(config, backend, common.seed);
        CheckpointFiles.load(checkpoint, model, hint, n -> false);
        model.train(false);
        List<int[]> ids = new ArrayList<>();
        for (String n : names) {
            String norm = NamesData.normalize(n);
            if (norm.isEmpty()) {
                throw new UserError("name '" + n + "' is empty after normalisation; pass a surname such as Dostoevsky");
            }
            ids.add(NamesBatches.encode(vocab, norm));
        }
        double[] lp;
        try (Grad.Scope off = Grad.disabled()) {
            lp = model.forward(ids).value().toDoubleArray();
        }
        int c = languages.size();
        for (int i = 0; i < names.size(); i++) {
            double[] row = Arrays.copyOfRange(lp, i * c, (i + 1) * c);
            StringBuilder sb = new StringBuilder(names.get(i)).append(':');
            for (int k : Layers.topK(row, top)) {
                sb.append(String.format(Locale.ROOT, "  %s %.3f", languages.get(k), Math.exp(row[k])));
            }
            System.out.println(sb);
        }
        return 0;
    }
}
