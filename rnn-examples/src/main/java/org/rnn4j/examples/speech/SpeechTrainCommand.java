package org.rnn4j.examples.speech;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Splits;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.FitBudget;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.models.Models;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.CsvLogger;
import org.rnn4j.train.Fit;
import org.rnn4j.train.KeepBest;
import org.rnn4j.train.Progress;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What {@code speech digits} and {@code speech connected} share: the options, reading and splitting the
 * recordings, the features, and the training loop ({@link Fit} with a time budget, a warm-up and cosine
 * learning rate, validation after every epoch, the best model kept).
 */
abstract class SpeechTrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--speaker-out", paramLabel = "NAME",
            description = "Hold this speaker out entirely: train on the others, test on all of this speaker's recordings.")
    String speakerOut;

    @Option(names = "--cell", defaultValue = "gru", paramLabel = "CELL", description = "gru, lstm or rnn (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--hidden", defaultValue = "128", paramLabel = "N", description = "Hidden size per direction (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", paramLabel = "N", description = "Recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--bidirectional", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Read each utterance in both directions (default: ${DEFAULT-VALUE}; --no-bidirectional to turn off).")
    boolean bidirectional;

    @Option(names = "--dropout", defaultValue = "0.2", paramLabel = "P",
            description = "Dropout between the recurrent layers and before the output layer (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Utterances per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--clip", defaultValue = "5", paramLabel = "NORM", description = "Gradient-norm clipping (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N", description = "Stop after N training steps (0 = no limit).")
    long maxSteps;

    @Option(names = "--validation", defaultValue = "0.1", paramLabel = "F",
            description = "Fraction of the training recordings (of every digit) held out to pick the best epoch "
                    + "(default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--data", paramLabel = "DIR",
            description = "A directory of FSDD-style recordings {digit}_{speaker}_{index}.wav, 16-bit PCM at 8 kHz "
                    + "(default: the bundled Free Spoken Digit Dataset).")
    Path data;

    @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
            description = "Use only the recordings with an index below N of every speaker and digit (0 = all; for quick trials).")
    int limit;

    @Option(names = "--out-dir", defaultValue = "rnn4j-output", paramLabel = "DIR",
            description = "Where the model, the PNG and the log go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Model file to write (default: OUT-DIR/speech-TASK.safetensors, or speech-TASK-without-NAME with --speaker-out).")
    Path model;

    /** The task: {@link SpeechNet#DIGITS} or {@link SpeechNet#CONNECTED}. */
    abstract String task();

    abstract double minutes();

    abstract int epochs();

    abstract double lr();

    /** The model file to write. */
    Path modelFile() {
        if (model != null) {
            return model;
        }
        return outDir.resolve("speech-" + task() + (speakerOut == null ? "" : "-without-" + speakerOut.strip().toLowerCase(Locale.ROOT))
                + ".safetensors");
    }

    /** Checks the shared options; subclasses add theirs. */
    void validate() {
        if (!List.of("gru", "lstm", "rnn").contains(cell)) {
            throw new UserError("--cell " + cell + " is not a cell here; use gru, lstm or rnn");
        }
        positive("--hidden", hidden);
        positive("--layers", layers);
        positive("--batch", batch);
        positive("--epochs", epochs());
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UserError("--dropout " + dropout + " is not a probability in [0, 1); pass e.g. 0.2");
        }
        if (!(lr() > 0) || Double.isInfinite(lr())) {
            throw new UserError("--lr " + lr() + " must be a positive number; pass e.g. 2e-3");
        }
        if (!(clip > 0) || Double.isInfinite(clip)) {
            throw new UserError("--clip " + clip + " must be a positive number; pass e.g. 5");
        }
        if (maxSteps < 0 || limit < 0) {
            throw new UserError((maxSteps < 0 ? "--max-steps " + maxSteps : "--limit " + limit) + " is negative; pass 0 (no limit) or a positive count");
        }
        if (!(validationFraction > 0 && validationFraction < 0.5)) {
            throw new UserError("--validation " + validationFraction + " must be a fraction in (0, 0.5); pass e.g. 0.1");
        }
        if (!(minutes() >= 0) || Double.isInfinite(minutes())) {
            throw new UserError("--minutes " + minutes() + " must be 0 (no budget) or a positive number of minutes");
        }
    }

    static void positive(String option, long value) {
        if (value <= 0) {
            throw new UserError(option + " " + value + " must be at least 1");
        }
    }

    /** The recordings for training (and validation) and for the test, after --speaker-out and --limit. */
    record Pools(List<Fsdd.Recording> train, List<Fsdd.Recording> validation, List<Fsdd.Recording> test, List<String> speakers,
            String description) {
    }

    /** Reads the recordings and splits them: the dataset's split, or every speaker but --speaker-out against that speaker. */
    Pools pools() {
        Predicate<Fsdd.Key> keep = k -> limit == 0 || k.index() < limit;
        List<Fsdd.Recording> all = data == null ? Fsdd.bundled(keep) : Fsdd.fromDirectory(data, keep);
        Set<String> found = new LinkedHashSet<>();
        for (String s : Fsdd.SPEAKERS) {
            if (all.stream().anyMatch(r -> r.speaker().equals(s))) {
                found.add(s);
            }
        }
        all.stream().map(Fsdd.Recording::speaker).sorted().forEach(found::add);
        List<String> speakers = new ArrayList<>(found);
        String out = null;
        if (speakerOut != null) {
            out = speakerOut.strip().toLowerCase(Locale.ROOT);
            if (!speakers.contains(out)) {
                throw new UserError("--speaker-out " + speakerOut + " is not a speaker of the recordings; use one of " + String.join(", ", speakers));
            }
            if (speakers.size() < 2) {
                throw new UserError("--speaker-out " + speakerOut + " leaves no speaker to train on; the recordings hold only " + out);
            }
        }
        final String heldOut = out;
        List<Fsdd.Recording> pool = new ArrayList<>();
        List<Fsdd.Recording> test = new ArrayList<>();
        for (Fsdd.Recording r : all) {
            boolean isTest = heldOut == null ? r.key().test() : r.speaker().equals(heldOut);
            (isTest ? test : pool).add(r);
        }
        if (pool.isEmpty() || test.isEmpty()) {
            throw new UserError("the recordings" + (data == null ? "" : " in " + data) + " give " + pool.size() + " for training and "
                    + test.size() + " for the test" + (heldOut == null ? " (index 0-4 is the test set)" : "")
                    + "; raise --limit or pass more recordings");
        }
        // validation: a seeded share of every digit of the training pool
        int[] strata = new int[pool.size()];
        for (int i = 0; i < strata.length; i++) {
            strata[i] = pool.get(i).digit();
        }
        List<int[]> parts = Splits.stratified(strata, common.seed, 1 - validationFraction, validationFraction);
        if (parts.get(1).length == 0) {
            // too few recordings of each digit for a share of each: a share of them all
            parts = Splits.random(pool.size(), common.seed, 1 - validationFraction, validationFraction);
        }
        List<Fsdd.Recording> train = new ArrayList<>();
        List<Fsdd.Recording> validation = new ArrayList<>();
        for (int i : parts.get(0)) {
            train.add(pool.get(i));
        }
        for (int i : parts.get(1)) {
            validation.add(pool.get(i));
        }
        if (validation.isEmpty() || train.isEmpty()) {
            throw new UserError("too few training recordings (" + pool.size() + ") to hold out a validation share; raise --limit or --validation");
        }
        List<String> trainSpeakers = new ArrayList<>(speakers);
        trainSpeakers.remove(heldOut);
        String description = String.format(Locale.ROOT, "%s%s: %d recordings of %d speakers (%s); %s", data == null ? "FSDD" : data.toString(),
                limit > 0 ? " (index < " + limit + ")" : "", all.size(), speakers.size(), String.join(", ", speakers),
                heldOut == null ? "the dataset's split (index 0-4 of every speaker and digit is the test set)"
                        : "speaker " + heldOut + " held out: trained on " + String.join(", ", trainSpeakers) + ", tested on " + heldOut);
        return new Pools(train, validation, test, speakers, description);
    }

    /** The backend and the freshly initialised model, logged. */
    SpeechNet newModel(Backend backend, SpeechFeatures features) {
        SpeechNet.Config config = new SpeechNet.Config(task(), features.width(), cell.equals("rnn") ? "rnn_tanh" : cell, hidden, layers,
                bidirectional, dropout);
        SpeechNet net = new SpeechNet(config, backend, DType.FLOAT32, common.seed);
        System.out.printf(Locale.ROOT, "model: %s (%,d parameters); %s%n", config.describe(), net.parameterCount(), net.rnn().explain());
        System.out.flush();
        return net;
    }

    /** How training ended, and which model was kept. */
    record Outcome(Fit.Result result, double validation, String kept) {
    }

    /**
     * Trains {@code net} on {@code train} with Adam, minimising {@code loss}; after every epoch
     * {@code validate} gives the validation figure {@code monitor} (higher is better when
     * {@code maximize}); the model with the best figure is kept (including that of a last, partial
     * epoch). {@code testShare} is how much longer the test evaluation takes than a validation pass, to
     * keep time for it.
     */
    Outcome fit(SpeechNet net, DataLoader<Utterances.Utterance, Utterances.Batch> train, Fit.LossFunction<Utterances.Batch> loss,
            Supplier<Double> validate, String monitor, boolean maximize, double testShare, Budget budget) {
        Adam adam = Adam.builder(net.parameters().values()).lr(lr()).build();
        FitBudget timing = new FitBudget(budget, lr(), 0.05, Math.min(50, Math.max(1, train.batchesPerEpoch() / 4)), 5);
        double[] validationSeconds = {0};
        Supplier<Map<String, Double>> metrics = () -> {
            long t0 = System.nanoTime();
            double v = validate.get();
            validationSeconds[0] = (System.nanoTime() - t0) / 1e9;
            timing.reserveAtLeast(validationSeconds[0] * (1 + testShare) + 5);
            return Map.of(monitor, v);
        };
        KeepBest best = new KeepBest(null, monitor, maximize, Map.of());
        Path csv = outDir.resolve(modelFile().getFileName().toString().replace(".safetensors", "") + "-log.csv");
        try {
            Files.createDirectories(csv.toAbsolutePath().getParent());
            Files.deleteIfExists(csv);
        } catch (IOException e) {
            throw new UserError("cannot write " + csv + ": " + e.getMessage() + "; pass a writable directory with --out-dir");
        }
        Fit.Builder<Utterances.Batch> b = Fit.builder(net, adam, train, loss).epochs(epochs()).clipGradNorm(clip)
                .examples(Utterances.Batch::size).validationMetrics(metrics)
                .callbacks(Fit.progressBar(System.err, System.out, "speech " + task()), timing, best, new CsvLogger(csv));
        if (maxSteps > 0) {
            b.maxSteps(maxSteps);
        }
        Fit.Result r;
        try {
            r = b.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (r.failed()) {
            throw new NonFiniteException(r.detail(), -1);
        }
        long lastEpochStep = r.history().isEmpty() ? 0 : Math.round(r.last().get("step"));
        double value;
        String kept;
        if (r.steps() > lastEpochStep || best.bestEpoch() < 0) {
            // the loop stopped inside an epoch: that epoch's model has not been validated yet
            double current = validate.get();
            boolean better = best.bestEpoch() < 0 || (maximize ? current > best.best() : current < best.best());
            if (better) {
                value = current;
                kept = String.format(Locale.ROOT, "the last model (step %d, %s %.4f)", r.steps(), monitor, current);
            } else {
                best.restore();
                value = best.best();
                kept = String.format(Locale.ROOT, "the model of epoch %d (%s %.4f; the last model, step %d, had %.4f)", best.bestEpoch() + 1,
                        monitor, best.best(), r.steps(), current);
            }
        } else {
            best.restore();
            value = best.best();
            kept = String.format(Locale.ROOT, "the model of epoch %d (%s %.4f)", best.bestEpoch() + 1, monitor, best.best());
        }
        net.eval();
        System.out.printf(Locale.ROOT, "trained %d steps in %s (%s); kept %s%n", r.steps(), Progress.time(r.seconds()),
                r.detail(), kept);
        return new Outcome(r, value, kept);
    }

    /** Writes the model file with the features' settings and {@code extra} metadata. */
    void save(SpeechNet net, SpeechFeatures features, Map<String, String> extra) {
        Path file = modelFile();
        Map<String, String> meta = new LinkedHashMap<>(features.toMetadata());
        meta.put("task", task());
        meta.putAll(extra);
        try {
            Path abs = file.toAbsolutePath();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Models.save(abs, net, Map.of(), meta);
        } catch (IOException e) {
            throw new UserError("cannot write model " + file + ": " + e + "; pass a writable path with --model or --out-dir", e);
        }
    }

    /** Features of recordings, timed and logged. */
    List<Utterances.Utterance> features(SpeechFeatures f, List<Fsdd.Recording> recordings) {
        List<float[][]> feats = f.computeAll(recordings, Fsdd.Recording::samples);
        List<Utterances.Utterance> out = new ArrayList<>(recordings.size());
        for (int i = 0; i < recordings.size(); i++) {
            Fsdd.Recording r = recordings.get(i);
            out.add(new Utterances.Utterance(r.key().fileName(), r.speaker(), feats.get(i), new int[] {r.digit()}));
        }
        return out;
    }
}
