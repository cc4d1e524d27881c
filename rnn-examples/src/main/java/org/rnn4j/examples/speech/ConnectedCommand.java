package org.rnn4j.examples.speech;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rnn4j.autograd.Var;
import org.rnn4j.decode.CtcDecoder;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.loss.Losses;
import org.rnn4j.loss.Reduction;
import org.rnn4j.metrics.ErrorRate;
import org.rnn4j.tensor.Backend;
import org.rnn4j.train.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code speech connected}: connected digit strings, a bidirectional recurrent network trained with CTC. */
@Command(name = "connected", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Connected digit strings: a bidirectional recurrent network trained with CTC.", "",
                "Joins 2 to 5 recordings of one speaker with short gaps of background noise into seeded digit strings (training "
                + "strings only from training recordings, test strings only from the test recordings), trains with the CTC loss, "
                + "decodes greedily (or by prefix beam search, --beam) and prints last 'test digit error rate: 0.xxx' (edit "
                + "distance over reference length); writes the model for 'speech predict'."})
final class ConnectedCommand extends SpeechTrainCommand {
    @Option(names = "--minutes", defaultValue = "9.5", paramLabel = "M",
            description = "Time budget for the whole run; training stops early to finish within it (0 = none; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--epochs", defaultValue = "4", paramLabel = "N", description = "Most epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR",
            description = "Peak Adam learning rate (warm-up, then cosine decay to 5%% over the epochs or the time budget; default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--strings", defaultValue = "6000", paramLabel = "N",
            description = "Training strings, joined from the training recordings (default: ${DEFAULT-VALUE}).")
    int strings;

    @Option(names = "--validation-strings", defaultValue = "300", paramLabel = "N",
            description = "Validation strings, joined from the validation recordings (default: ${DEFAULT-VALUE}).")
    int validationStrings;

    @Option(names = "--test-strings", defaultValue = "600", paramLabel = "N",
            description = "Test strings, joined from the test recordings (default: ${DEFAULT-VALUE}).")
    int testStrings;

    @Option(names = "--beam", defaultValue = "0", paramLabel = "N",
            description = "Prefix beam search with N prefixes for the test (0 = greedy best-path decoding; default: ${DEFAULT-VALUE}).")
    int beam;

    @Override
    String task() {
        return SpeechNet.CONNECTED;
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
    void validate() {
        super.validate();
        positive("--strings", strings);
        positive("--validation-strings", validationStrings);
        positive("--test-strings", testStrings);
        if (beam < 0) {
            throw new UserError("--beam " + beam + " is negative; pass 0 (greedy) or a beam width such as 8");
        }
    }

    @Override
    public Integer call() {
        Budget budget = new Budget(minutes);
        validate();
        Backend backend = common.backend();
        Pools pools = pools();
        SpeechFeatures f = SpeechFeatures.DEFAULT;
        long t0 = System.nanoTime();
        List<Utterances.Utterance> train = strings(f, pools.train(), strings, common.seed, "training");
        List<Utterances.Utterance> validation = strings(f, pools.validation(), validationStrings, common.seed + 1, "validation");
        List<Utterances.Utterance> test = strings(f, pools.test(), testStrings, common.seed + 2, "test");
        System.out.println("speech connected: " + pools.description());
        System.out.printf(Locale.ROOT, "strings of %d-%d digits, one speaker each, gaps of %.0f-%.0f ms: train %d (%s), validation %d, "
                + "test %d (%s)%n", DigitStrings.MIN_DIGITS, DigitStrings.MAX_DIGITS, 1000 * DigitStrings.GAP_MIN, 1000 * DigitStrings.GAP_MAX,
                train.size(), summary(train, f), validation.size(), test.size(), summary(test, f));
        System.out.printf(Locale.ROOT, "features: %s; computed in %.1f s%n", f.describe(), (System.nanoTime() - t0) / 1e9);
        SpeechNet net = newModel(backend, f);
        Outcome o = fit(net, Utterances.training(train, batch, common.seed), b -> ctcLoss(net, b, backend),
                () -> errorRate(net, validation, 0, null), "val_digit_error_rate", false, test.size() / (double) validation.size(), budget);

        List<int[]> heard = new ArrayList<>();
        double rate = errorRate(net, test, beam, heard);
        System.out.println("some test strings (" + (beam > 0 ? "prefix beam search, width " + beam : "greedy decoding") + "):");
        for (int i = 0; i < Math.min(5, test.size()); i++) {
            System.out.printf(Locale.ROOT, "  heard %-6s reference %-6s (%s)%n", digits(heard.get(i)), digits(test.get(i).digits()),
                    test.get(i).name());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("speakers", String.join(",", pools.speakers()));
        if (speakerOut != null) {
            meta.put("speaker_out", speakerOut.strip().toLowerCase(Locale.ROOT));
        }
        meta.put("blank", Integer.toString(SpeechNet.BLANK));
        meta.put("validation_digit_error_rate", Double.toString(o.validation()));
        meta.put("test_digit_error_rate", Double.toString(rate));
        save(net, f, meta);
        System.out.printf(Locale.ROOT, "wrote %s; %s in all%n", modelFile(), Progress.time(budget.elapsedSeconds()));
        System.out.printf(Locale.ROOT, "test digit error rate: %.3f%n", rate);
        return 0;
    }

    /** {@code count} strings joined from {@code pool}, with their features. */
    static List<Utterances.Utterance> strings(SpeechFeatures f, List<Fsdd.Recording> pool, int count, long seed, String which) {
        List<DigitStrings.Joined> joined;
        try {
            joined = DigitStrings.generate(pool, count, f.sampleRate(), seed);
        } catch (IllegalArgumentException e) {
            throw new UserError("cannot join " + which + " strings: " + e.getMessage() + "; raise --limit or pass more recordings");
        }
        List<float[][]> feats = f.computeAll(joined, DigitStrings.Joined::samples);
        List<Utterances.Utterance> out = new ArrayList<>(joined.size());
        for (int i = 0; i < joined.size(); i++) {
            DigitStrings.Joined j = joined.get(i);
            out.add(new Utterances.Utterance(j.name(), j.speaker(), feats.get(i), j.digits()));
        }
        return out;
    }

    /** The mean CTC loss of a batch (per label, PyTorch's mean reduction). */
    static Var ctcLoss(SpeechNet net, Utterances.Batch b, Backend backend) {
        int[] lengths = b.x().lengths();
        int[][] targets = labels(b.digits());
        int[] targetLengths = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            targetLengths[i] = targets[i].length;
        }
        return Losses.ctc(net.stepLogProbs(b.input(backend), lengths), targets, lengths, targetLengths, SpeechNet.BLANK, Reduction.MEAN,
                true);
    }

    /** Digits as CTC labels (digit {@code d} is label {@code d + 1}). */
    static int[][] labels(int[][] digits) {
        int[][] out = new int[digits.length][];
        for (int i = 0; i < digits.length; i++) {
            out[i] = new int[digits[i].length];
            for (int k = 0; k < digits[i].length; k++) {
                out[i][k] = digits[i][k] + 1;
            }
        }
        return out;
    }

    /** CTC labels back to digits. */
    static int[] toDigits(int[] labels) {
        int[] out = new int[labels.length];
        for (int k = 0; k < labels.length; k++) {
            out[k] = labels[k] - 1;
        }
        return out;
    }

    /**
     * The digit error rate of the model on {@code items}: total edit distance over total reference length,
     * decoding greedily ({@code beam} 0) or by prefix beam search; the decoded digits go to {@code heard}
     * (in item order) when it is not null.
     */
    static double errorRate(SpeechNet net, List<Utterances.Utterance> items, int beam, List<int[]> heard) {
        int[][] decoded = decode(net, items, beam);
        ErrorRate er = ErrorRate.characters();
        for (int i = 0; i < items.size(); i++) {
            er.update(decoded[i], items.get(i).digits());
        }
        if (heard != null) {
            heard.addAll(Arrays.asList(decoded));
        }
        return er.compute();
    }

    /** The digits the model hears in each item, in item order. */
    static int[][] decode(SpeechNet net, List<Utterances.Utterance> items, int beam) {
        CtcDecoder decoder = new CtcDecoder(SpeechNet.BLANK);
        int[][] out = new int[items.size()][];
        Backend backend = net.rnn().backend();
        Utterances.inference(net, items, 64, (b, idx) -> {
            int[] lengths = b.x().lengths();
            var lp = net.stepLogProbs(b.input(backend), lengths).value();
            int[][] labels = beam > 0 ? decoder.beamSearch(lp, lengths, beam) : decoder.greedy(lp, lengths);
            for (int k = 0; k < idx.length; k++) {
                out[idx[k]] = toDigits(labels[k]);
            }
        });
        return out;
    }

    static String digits(int[] d) {
        StringBuilder sb = new StringBuilder();
        for (int x : d) {
            sb.append(x);
        }
        return sb.length() == 0 ? "(none)" : sb.toString();
    }

    private static String summary(List<Utterances.Utterance> items, SpeechFeatures f) {
        long digits = 0;
        long steps = 0;
        for (Utterances.Utterance u : items) {
            digits += u.digits().length;
            steps += u.steps();
        }
        return String.format(Locale.ROOT, "%d digits, %.1f min of audio", digits, steps * f.stepSeconds() / 60);
    }
}
