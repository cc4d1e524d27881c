package org.rnn4j.examples.names;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.Collate;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.ModelFiles;
import org.rnn4j.examples.cli.TimeBudget;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.NamesData;
import org.rnn4j.examples.data.NamesData.Example;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.loss.Losses;
import org.rnn4j.metrics.ConfusionMatrix;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.tensor.Backend;
import org.rnn4j.train.Fit;
import org.rnn4j.train.KeepBest;
import org.rnn4j.train.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code names}: classify surnames by language. */
@Command(name = "names", mixinStandardHelpOptions = true, subcommands = NamesPredictCommand.class,
        description = {"Classifies surnames by language; 'names predict NAME...' uses the saved model.", "",
                "Classifies surnames by language (18 languages, bundled). Trains with a stratified seeded "
                + "train/validation/test split, keeps the model with the best validation accuracy, prints the confusion matrix "
                + "and last 'test accuracy: 0.xxx'; writes the confusion matrix and loss curve as PNGs and a checkpoint for "
                + "'names predict'."})
public final class NamesCommand implements Callable<Integer> {
    static final List<String> CELLS = List.of("classic", "rnn", "lstm", "gru");

    @Mixin
    CommonOptions common;

    @Option(names = "--cell", defaultValue = "gru", paramLabel = "CELL",
            description = "classic (the i2h/i2o RNN of PyTorch's tutorial), rnn, lstm or gru (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--hidden", defaultValue = "128", paramLabel = "N", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--embedding", defaultValue = "64", paramLabel = "N",
            description = "Character embedding size (not used by classic; default: ${DEFAULT-VALUE}).")
    int embedding;

    @Option(names = "--layers", defaultValue = "1", paramLabel = "N", description = "Recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--bidirectional", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Read names in both directions (default: ${DEFAULT-VALUE}; --no-bidirectional to turn off).")
    boolean bidirectional;

    @Option(names = "--dropout", defaultValue = "0.5", paramLabel = "P",
            description = "Dropout before the output layer (and between layers; default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", defaultValue = "cosine", paramLabel = "KIND",
            description = "Learning rate: cosine (decays to 5%% by the end of --epochs or --minutes, whichever comes first) or "
                    + "constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--epochs", defaultValue = "12", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--minutes", defaultValue = "4.5", paramLabel = "M",
            description = "Time budget for the whole run; training stops early to finish within it (0 = none; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N", description = "Stop after N training steps (0 = no limit).")
    long maxSteps;

    @Option(names = "--validation", defaultValue = "0.1", paramLabel = "F",
            description = "Fraction of each language held out for validation (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--test", defaultValue = "0.1", paramLabel = "F",
            description = "Fraction of each language held out for the test (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--data", paramLabel = "DIR",
            description = "A directory of LANGUAGE.txt files, one name per line (default: the bundled 18 languages).")
    Path data;

    @Option(names = "--out-dir", defaultValue = "rnn4j-output", paramLabel = "DIR",
            description = "Where the checkpoint and PNGs go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint to write (default: OUT-DIR/names-CELL.safetensors).")
    Path checkpoint;

    /** The name of the vocabulary in the model file. */
    static final String VOCAB = "chars";

    /** Mean loss and the confusion matrix of one evaluation. */
    record Evaluation(double loss, ConfusionMatrix confusion) {
        double accuracy() {
            return confusion.accuracy();
        }
    }

    @Override
    public Integer call() {
        validate();
        Backend backend = common.backend();
        NamesData dataset = data == null ? NamesData.bundled() : NamesData.fromDirectory(data);
        NamesData.Split split = dataset.split(common.seed, validationFraction, testFraction);
        if (split.validation().isEmpty() || split.test().isEmpty()) {
            throw new UserError("the validation or test set is empty (" + dataset.examples().size() + " names); add names or raise "
                    + "--validation / --test");
        }
        // id 0 stands for every character the training names do not hold
        Vocabulary vocab = Vocabulary.characters().special(Vocabulary.Special.UNK, "\u0000").addAll(split.train().stream().map(Example::name).toList())
                .build();
        List<String> languages = dataset.languages();
        int classes = languages.size();
        int longest = split.train().stream().mapToInt(e -> e.name().length()).max().orElse(1);
        NamesModel.footprint(cell, vocab.size(), classes, embedding, hidden, layers, bidirectional, dropout, batch, longest,
                "lower --hidden, --layers, --embedding or --batch").check(true);
        NamesModel model = NamesModel.create(cell, vocab.size(), classes, embedding, hidden, layers, bidirectional, dropout, backend, common.seed);
        Path ckpt = checkpoint != null ? checkpoint : outDir.resolve("names-" + cell + ".safetensors");
        System.out.printf(Locale.ROOT, "names: %d names in %d languages; train %d, validation %d, test %d; vocabulary %d characters%n",
                dataset.examples().size(), classes, split.train().size(), split.validation().size(), split.test().size(), vocab.size());
        System.out.printf(Locale.ROOT, "model: %s (%,d parameters)%n", model.explain(), model.parameterCount());
        System.out.flush();

        // batches of names of similar length (little padding); shuffled pools of 32 batches for training
        Function<List<Example>, Collate.Labeled> collate = Collate.labeled(e -> vocab.encode(e.name()), Example::label, 0);
        DataLoader<Example, Collate.Labeled> train = DataLoader.builder(Dataset.of(split.train()), collate).batchSize(batch)
                .shuffle(common.seed).bucketByLength(e -> e.name().length(), 32).build();
        DataLoader<Example, Collate.Labeled> val = DataLoader.builder(Dataset.of(split.validation()), collate).batchSize(256)
                .bucketByLength(e -> e.name().length(), 1).build();
        DataLoader<Example, Collate.Labeled> test = DataLoader.builder(Dataset.of(split.test()), collate).batchSize(256)
                .bucketByLength(e -> e.name().length(), 1).build();
        long planned = (long) epochs * train.batchesPerEpoch();
        TimeBudget timing = new TimeBudget(minutes, lr, schedule.equals("cosine"), maxSteps > 0 ? Math.min(maxSteps, planned) : planned, 2);
        KeepBest best = new KeepBest(null, "val_accuracy", true, Map.of());
        Adam adam = Adam.builder(model.parameters().values()).lr(lr).build();
        Fit.Builder<Collate.Labeled> fit = Fit.builder(model, adam, train, b -> Losses.nll(model.forward(b.inputs()), b.labels()))
                .epochs(epochs).clipGradNorm(5).examples(Collate.Labeled::batchSize).stopOnInterrupt(false)
                .validationMetrics(() -> {
                    long t0 = System.nanoTime();
                    Evaluation e = evaluate(model, val, classes);
                    // keep time for the final validation and test passes
                    timing.reserve(3 * (System.nanoTime() - t0) / 1e9 + 2);
                    Map<String, Double> m = new LinkedHashMap<>();
                    m.put("val_loss", e.loss());
                    m.put("val_accuracy", e.accuracy());
                    return m;
                })
                .callbacks(Fit.progressBar(System.err, System.out, "names"), timing, best);
        if (maxSteps > 0) {
            fit.maxSteps(maxSteps);
        }
        Fit.Result r;
        try {
            r = fit.run();
        } catch (IOException e) {
            throw new UserError("training failed: " + e, e);
        }
        if (r.failed()) {
            throw new NonFiniteException(r.detail(), -1);
        }
        // the figures of every epoch, and of a last one the budget cut short (validated here)
        List<double[]> curve = new ArrayList<>();
        r.history().forEach(h -> curve.add(new double[] {h.get("epoch") + 1, h.get("loss"), h.get("val_loss"), h.get("val_accuracy")}));
        long epochStep = r.history().isEmpty() ? 0 : Math.round(r.last().get("step"));
        double valAccuracy = best.best();
        String kept = String.format(Locale.ROOT, "epoch %d (validation accuracy %.4f)", best.bestEpoch() + 1, best.best());
        boolean lastIsBest = false;
        if (r.steps() > epochStep) {
            Evaluation last = evaluate(model, val, classes);
            curve.add(new double[] {r.history().size() + (r.steps() - epochStep) / (double) train.batchesPerEpoch(),
                r.stepLosses().subList((int) epochStep, r.stepLosses().size()).stream().mapToDouble(Double::doubleValue).average().orElse(0),
                last.loss(), last.accuracy()});
            lastIsBest = !(best.best() >= last.accuracy()); // also when no epoch finished (best is NaN)
            if (lastIsBest) {
                valAccuracy = last.accuracy();
                kept = String.format(Locale.ROOT, "epoch %d, cut short at step %d (validation accuracy %.4f)", r.history().size() + 1, r.steps(),
                        last.accuracy());
            }
        }
        if (!lastIsBest) {
            best.restore();
        }
        Evaluation result = evaluate(model, test, classes);
        System.out.printf(Locale.ROOT, "kept the model of %s; training took %s%n", kept, Progress.time(r.seconds()));
        System.out.println("confusion matrix on the test set (rows: true language, columns: predicted):");
        System.out.print(formatConfusion(languages, result.confusion().counts()));

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("languages", String.join("\n", languages));
        meta.put("validation_accuracy", Double.toString(valAccuracy));
        meta.put("test_accuracy", Double.toString(result.accuracy()));
        ModelFiles.save(ckpt, model, Map.of(VOCAB, vocab), meta);
        Path confusionPng = outDir.resolve("names-" + cell + "-confusion.png");
        Path lossPng = outDir.resolve("names-" + cell + "-loss.png");
        Charts.confusion(confusionPng, String.format(Locale.ROOT, "names, %s: test accuracy %.3f", model.describe(), result.accuracy()),
                languages, Arrays.stream(result.confusion().counts()).map(row -> Arrays.stream(row).mapToInt(Math::toIntExact).toArray())
                        .toArray(int[][]::new));
        Charts.lines(lossPng, "names, " + model.describe(), "epoch", "loss (nats) / accuracy",
                List.of(new Charts.Line("train loss", column(curve, 0), column(curve, 1)), new Charts.Line("validation loss", column(curve, 0),
                        column(curve, 2)), new Charts.Line("validation accuracy", column(curve, 0), column(curve, 3), true)));
        System.out.println("wrote " + ckpt + ", " + confusionPng + ", " + lossPng);
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", result.accuracy());
        return 0;
    }

    private static double[] column(List<double[]> rows, int k) {
        return rows.stream().mapToDouble(r -> r[k]).toArray();
    }

    /** Mean loss and confusion matrix of {@code model} on one pass over {@code loader}. */
    static Evaluation evaluate(NamesModel model, DataLoader<Example, Collate.Labeled> loader, int classes) {
        ConfusionMatrix confusion = new ConfusionMatrix(classes);
        double loss = 0;
        boolean training = model.isTraining();
        model.eval();
        try (Grad.Scope off = Grad.disabled()) {
            for (Collate.Labeled b : loader) {
                Var lp = model.forward(b.inputs());
                loss += Losses.nll(lp, b.labels()).value().item() * b.batchSize();
                confusion.update(lp.value(), b.labels());
            }
        } finally {
            model.train(training);
        }
        return new Evaluation(loss / confusion.total(), confusion);
    }

    private void validate() {
        if (!CELLS.contains(cell)) {
            throw new UserError("--cell " + cell + " is not a cell here; use one of " + String.join(", ", CELLS));
        }
        positive("--hidden", hidden);
        positive("--embedding", embedding);
        positive("--layers", layers);
        positive("--batch", batch);
        positive("--epochs", epochs);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UserError("--dropout " + dropout + " is not a probability in [0, 1); pass e.g. 0.3");
        }
        if (!(lr > 0)) {
            throw new UserError("--lr " + lr + " must be positive; pass e.g. 3e-3");
        }
        if (!List.of("cosine", "constant").contains(schedule)) {
            throw new UserError("--schedule " + schedule + " is not a schedule; use cosine or constant");
        }
        if (!(validationFraction > 0 && testFraction > 0 && validationFraction + testFraction < 1)) {
            throw new UserError("--validation " + validationFraction + " and --test " + testFraction
                    + " must be positive fractions that add up to less than 1; pass e.g. 0.1 and 0.1");
        }
        CommonOptions.checkMinutes(minutes);
        if (cell.equals("classic") && layers != 1) {
            throw new UserError("--layers applies to rnn, lstm and gru; the classic model has one layer; drop --layers");
        }
    }

    static void positive(String option, long value) {
        if (value <= 0) {
            throw new UserError(option + " " + value + " must be at least 1");
        }
    }

    static String formatConfusion(List<String> labels, long[][] m) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s", ""));
        for (String l : labels) {
            sb.append(String.format(Locale.ROOT, "%5s", l.substring(0, Math.min(4, l.length()))));
        }
        sb.append(String.format(Locale.ROOT, "%8s%n", "recall"));
        for (int r = 0; r < labels.size(); r++) {
            sb.append(String.format(Locale.ROOT, "%-12s", labels.get(r)));
            long total = 0;
            for (int c = 0; c < labels.size(); c++) {
                sb.append(String.format(Locale.ROOT, "%5d", m[r][c]));
                total += m[r][c];
            }
            sb.append(String.format(Locale.ROOT, "%8.3f%n", total == 0 ? 0.0 : m[r][r] / (double) total));
        }
        return sb.toString();
    }

}
