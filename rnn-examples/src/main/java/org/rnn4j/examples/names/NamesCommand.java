package org.rnn4j.examples.names;

import org.rnn4j.spi.ComputeBackend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.cli.CheckpointFiles;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.train.Progress;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.NamesData;
import org.rnn4j.examples.data.Vocabulary;
import org.rnn4j.examples.nn.Layers;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.io.HostTensor;
import org.rnn4j.loss.Losses;
import org.rnn4j.optim.Adam;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.train.Trainer;
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

    /** Accuracy, mean loss and confusion counts of one evaluation. */
    record Evaluation(double accuracy, double loss, int[][] confusion) {
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
        StringBuilder trainText = new StringBuilder();
        split.train().forEach(e -> trainText.append(e.name()));
        Vocabulary vocab = Vocabulary.of(trainText, 0);
        List<String> languages = dataset.languages();
        NamesModel.Config config = new NamesModel.Config(cell, vocab.size(), languages.size(), embedding, hidden, layers, bidirectional,
                dropout);
        int longest = split.train().stream().mapToInt(e -> e.name().length()).max().orElse(1);
        config.footprint(batch, longest, "lower --hidden, --layers, --embedding or --batch").check(true);
        NamesModel model = new NamesModel(config, backend, common.seed);
        Path ckpt = checkpoint != null ? checkpoint : outDir.resolve("names-" + cell + ".safetensors");
        System.out.printf(Locale.ROOT, "names: %d names in %d languages; train %d, validation %d, test %d; vocabulary %d characters%n",
                dataset.examples().size(), languages.size(), split.train().size(), split.validation().size(), split.test().size(),
                vocab.size());
        System.out.printf(Locale.ROOT, "model: %s (%,d parameters)%n", model.explain(), model.parameterCount());
        System.out.flush();

        Adam adam = Adam.builder(model.parameters().values()).lr(lr).build();
        Trainer trainer = new Trainer(model, adam).clipNorm(5);
        Random rng = new Random(common.seed);
        Budget budget = new Budget(minutes);
        List<NamesBatches.Batch> valBatches = NamesBatches.evaluation(split.validation(), vocab, 256);
        List<NamesBatches.Batch> testBatches = NamesBatches.evaluation(split.test(), vocab, 256);
        List<Double> trainLoss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        List<Double> valAcc = new ArrayList<>();
        List<Double> epochX = new ArrayList<>();
        Map<String, Tensor> best = Layers.snapshot(model);
        double bestAcc = -1;
        int bestEpoch = 0;
        double evalSeconds = 0;
        long step = 0;
        boolean stop = false;
        try (Progress progress = common.progress("names")) {
            progress.budgetSeconds(budget.totalSeconds());
            for (int epoch = 1; epoch <= epochs && !stop; epoch++) {
                List<NamesBatches.Batch> batches = NamesBatches.training(split.train(), vocab, batch, rng);
                progress.totalSteps((long) epochs * batches.size());
                model.train(true);
                double sum = 0;
                int seen = 0;
                int done = 0;
                for (NamesBatches.Batch b : batches) {
                    // keep time for the final validation and test passes (each about one validation pass)
                    if (budget.exhausted(3 * evalSeconds + 2) || (maxSteps > 0 && step >= maxSteps)) {
                        stop = true;
                        break;
                    }
                    if (schedule.equals("cosine")) {
                        double trainSeconds = budget.totalSeconds() - 3 * evalSeconds - 2;
                        double fraction = Math.max(step / (double) ((long) epochs * batches.size()), budget.elapsedSeconds() / trainSeconds);
                        if (maxSteps > 0) {
                            fraction = Math.max(fraction, step / (double) maxSteps);
                        }
                        adam.setLr(Budget.cosine(lr, fraction, 0.05));
                    }
                    double loss = trainer.step(() -> Losses.nll(model.forward(b.ids()), b.labels()));
                    step++;
                    done++;
                    sum += loss * b.size();
                    seen += b.size();
                    progress.step(String.format(Locale.ROOT, "epoch %d/%d step %d/%d", epoch, epochs, done, batches.size()), step, loss,
                            b.size());
                }
                if (seen == 0) {
                    break;
                }
                long t0 = System.nanoTime();
                Evaluation val = evaluate(model, valBatches, languages.size());
                evalSeconds = (System.nanoTime() - t0) / 1e9;
                progress.resetRate();
                double epochPos = epoch - 1 + done / (double) batches.size();
                epochX.add(epochPos);
                trainLoss.add(sum / seen);
                valLoss.add(val.loss());
                valAcc.add(val.accuracy());
                boolean improved = val.accuracy() > bestAcc;
                if (improved) {
                    bestAcc = val.accuracy();
                    bestEpoch = epoch;
                    best = Layers.snapshot(model);
                }
                progress.result(String.format(Locale.ROOT, "epoch %2d%s  train loss %.4f  validation loss %.4f  validation accuracy %.4f%s  (%s)",
                        epoch, done < batches.size() ? String.format(Locale.ROOT, " (%d/%d steps)", done, batches.size()) : "",
                        sum / seen, val.loss(), val.accuracy(), improved ? " *" : "", Progress.time(budget.elapsedSeconds())));
            }
        }
        if (bestAcc < 0) {
            throw new UserError("no training step ran: the --minutes budget " + minutes + " is too small; raise it");
        }
        Layers.restore(model, best);
        Evaluation test = evaluate(model, testBatches, languages.size());
        System.out.printf(Locale.ROOT, "kept the model of epoch %d (validation accuracy %.4f); training took %s%n", bestEpoch, bestAcc,
                Progress.time(budget.elapsedSeconds()));
        System.out.println("confusion matrix on the test set (rows: true language, columns: predicted):");
        System.out.print(formatConfusion(languages, test.confusion()));

        Map<String, HostTensor> extra = new LinkedHashMap<>();
        extra.put("vocab", vocab.toTensor());
        Map<String, String> meta = new LinkedHashMap<>(config.toMetadata());
        meta.put("model", "names");
        meta.put("languages", String.join("\n", languages));
        meta.put("validation_accuracy", Double.toString(bestAcc));
        meta.put("test_accuracy", Double.toString(test.accuracy()));
        CheckpointFiles.save(ckpt, model, extra, meta);
        Path confusionPng = outDir.resolve("names-" + cell + "-confusion.png");
        Path lossPng = outDir.resolve("names-" + cell + "-loss.png");
        Charts.confusion(confusionPng, String.format(Locale.ROOT, "names, %s: test accuracy %.3f", config.describe(), test.accuracy()),
                languages, test.confusion());
        double[] x = toArray(epochX);
        Charts.lines(lossPng, "names, " + config.describe(), "epoch", "loss (nats) / accuracy",
                List.of(new Charts.Line("train loss", x, toArray(trainLoss)), new Charts.Line("validation loss", x, toArray(valLoss)),
                        new Charts.Line("validation accuracy", x, toArray(valAcc), true)));
        System.out.println("wrote " + ckpt + ", " + confusionPng + ", " + lossPng);
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", test.accuracy());
        return 0;
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

    static Evaluation evaluate(NamesModel model, List<NamesBatches.Batch> batches, int classes) {
        model.train(false);
        int[][] confusion = new int[classes][classes];
        double lossSum = 0;
        int n = 0;
        int correct = 0;
        try (Grad.Scope off = Grad.disabled()) {
            for (NamesBatches.Batch b : batches) {
                Var lp = model.forward(b.ids());
                lossSum += Losses.nll(lp, b.labels()).value().item() * b.size();
                double[] v = lp.value().toDoubleArray();
                for (int i = 0; i < b.size(); i++) {
                    int arg = 0;
                    for (int c = 1; c < classes; c++) {
                        arg = v[i * classes + c] > v[i * classes + arg] ? c : arg;
                    }
                    confusion[b.labels()[i]][arg]++;
                    correct += arg == b.labels()[i] ? 1 : 0;
                }
                n += b.size();
            }
        } finally {
            model.train(true);
        }
        return new Evaluation(correct / (double) n, lossSum / n, confusion);
    }

    static String formatConfusion(List<String> labels, int[][] m) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s", ""));
        for (String l : labels) {
            sb.append(String.format(Locale.ROOT, "%5s", l.substring(0, Math.min(4, l.length()))));
        }
        sb.append(String.format(Locale.ROOT, "%8s%n", "recall"));
        for (int r = 0; r < labels.size(); r++) {
            sb.append(String.format(Locale.ROOT, "%-12s", labels.get(r)));
            int total = 0;
            for (int c = 0; c < labels.size(); c++) {
                sb.append(String.format(Locale.ROOT, "%5d", m[r][c]));
                total += m[r][c];
            }
            sb.append(String.format(Locale.ROOT, "%8.3f%n", total == 0 ? 0.0 : m[r][r] / (double) total));
        }
        return sb.toString();
    }

    static double[] toArray(List<Double> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }
}
