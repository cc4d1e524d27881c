package org.rnn4j.examples.speech;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.loss.Losses;
import org.rnn4j.metrics.ConfusionMatrix;
import org.rnn4j.tensor.Backend;
import org.rnn4j.train.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code speech digits}: isolated spoken digits, a recurrent classifier over MFCC steps. */
@Command(name = "digits", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Isolated spoken digits (FSDD): a recurrent classifier over MFCC features.", "",
                "Trains on the Free Spoken Digit Dataset with its own split (recordings 0-4 of every speaker and digit are the "
                + "test set; a seeded tenth of the rest picks the best epoch), prints the test confusion matrix and last "
                + "'test accuracy: 0.xxx'; writes the model for 'speech predict' and a confusion-matrix PNG."})
final class DigitsCommand extends SpeechTrainCommand {
    @Option(names = "--minutes", defaultValue = "4.5", paramLabel = "M",
            description = "Time budget for the whole run; training stops early to finish within it (0 = none; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--epochs", defaultValue = "12", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR",
            description = "Peak Adam learning rate (warm-up, then cosine decay to 5%% over the epochs or the time budget; default: ${DEFAULT-VALUE}).")
    double lr;

    @Override
    String task() {
        return SpeechNet.DIGITS;
    }

    @Override
    double minutes() {
        return minutes;
    }

    @Override
    int epochs() {
        return epochs;
    }

    @Override
    double lr() {
        return lr;
    }

    @Override
    public Integer call() {
        Budget budget = new Budget(minutes);
        validate();
        Backend backend = common.backend();
        Pools pools = pools();
        SpeechFeatures f = SpeechFeatures.DEFAULT;
        long t0 = System.nanoTime();
        List<Utterances.Utterance> train = features(f, pools.train());
        List<Utterances.Utterance> validation = features(f, pools.validation());
        List<Utterances.Utterance> test = features(f, pools.test());
        System.out.println("speech digits: " + pools.description());
        System.out.printf(Locale.ROOT, "train %d, validation %d, test %d recordings; features: %s; computed in %.1f s%n", train.size(),
                validation.size(), test.size(), f.describe(), (System.nanoTime() - t0) / 1e9);
        SpeechNet net = newModel(backend, f);
        Outcome o = fit(net, Utterances.training(train, batch, common.seed),
                b -> Losses.crossEntropy(net.digitLogits(b.input(backend), b.x().lengths()), b.labels()),
                () -> confusion(net, validation).accuracy(), "val_accuracy", true, test.size() / (double) validation.size(), budget);

        ConfusionMatrix cm = confusion(net, test);
        double accuracy = cm.accuracy();
        List<String> labels = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            labels.add(Integer.toString(d));
        }
        System.out.println("confusion matrix on the test set (rows: digit spoken, columns: digit recognised):");
        System.out.print(format(cm));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("speakers", String.join(",", pools.speakers()));
        if (speakerOut != null) {
            meta.put("speaker_out", speakerOut.strip().toLowerCase(Locale.ROOT));
        }
        meta.put("validation_accuracy", Double.toString(o.validation()));
        meta.put("test_accuracy", Double.toString(accuracy));
        save(net, f, meta);
        Path png = outDir.resolve(modelFile().getFileName().toString().replace(".safetensors", "") + "-confusion.png");
        long[][] counts = cm.counts();
        int[][] ints = new int[10][10];
        for (int r = 0; r < 10; r++) {
            for (int c = 0; c < 10; c++) {
                ints[r][c] = (int) counts[r][c];
            }
        }
        Charts.confusion(png, String.format(Locale.ROOT, "spoken digits, %s: test accuracy %.3f",
                speakerOut == null ? "FSDD test split" : "speaker " + speakerOut.strip().toLowerCase(Locale.ROOT) + " held out", accuracy),
                labels, ints);
        System.out.printf(Locale.ROOT, "wrote %s, %s; %s in all%n", modelFile(), png, Progress.time(budget.elapsedSeconds()));
        System.out.printf(Locale.ROOT, "test accuracy: %.3f%n", accuracy);
        return 0;
    }

    /** The confusion matrix of the model's predictions on {@code items}. */
    static ConfusionMatrix confusion(SpeechNet net, List<Utterances.Utterance> items) {
        ConfusionMatrix cm = new ConfusionMatrix(10);
        Backend backend = net.rnn().backend();
        Utterances.inference(net, items, 128, (b, idx) -> cm.update(net.digitLogits(b.input(backend), b.x().lengths()).value(), b.labels()));
        return cm;
    }

    /** The matrix as a table with each digit's recall. */
    static String format(ConfusionMatrix cm) {
        StringBuilder sb = new StringBuilder("     ");
        for (int c = 0; c < 10; c++) {
            sb.append(String.format(Locale.ROOT, "%5d", c));
        }
        sb.append(String.format(Locale.ROOT, "%8s%n", "recall"));
        for (int r = 0; r < 10; r++) {
            sb.append(String.format(Locale.ROOT, "%5d", r));
            for (int c = 0; c < 10; c++) {
                sb.append(String.format(Locale.ROOT, "%5d", cm.count(r, c)));
            }
            sb.append(String.format(Locale.ROOT, "%8.3f%n", cm.recall(r)));
        }
        return sb.toString();
    }
}
