package org.rnn4j.examples.translate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.Collate;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.data.PaddedSequences;
import org.rnn4j.data.Splits;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.loss.CrossEntropyOptions;
import org.rnn4j.loss.Losses;
import org.rnn4j.metrics.Bleu;
import org.rnn4j.models.Models;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Callback;
import org.rnn4j.train.CsvLogger;
import org.rnn4j.train.Fit;
import org.rnn4j.train.KeepBest;
import org.rnn4j.train.Progress;
import org.rnn4j.train.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code translate}: French to English (or back) with an attention encoder-decoder. */
@Command(name = "translate", mixinStandardHelpOptions = true, subcommands = TranslatePredictCommand.class,
        description = {"Trains French -> English translation (an attention encoder-decoder); 'translate predict' uses the saved model.", "",
            "Trains on the bundled short Tatoeba pairs (11,822; www.manythings.org/anki and tatoeba.org, CC BY 2.0) or --pairs FILE "
            + "(English<TAB>French lines), normalised as in PyTorch's seq2seq tutorial, split 80/10/10 with --seed. Prints each "
            + "epoch's losses and validation BLEU, keeps the model with the best validation BLEU, prints test examples and last "
            + "'test BLEU: 0.xxx' (beam search); writes the model, a loss/BLEU chart and an attention heat map."})
public final class TranslateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--pairs", paramLabel = "FILE",
            description = "Tab-separated sentence pairs, English<TAB>French per line (default: the bundled eng-fra-short.txt).")
    Path pairs;

    @Option(names = "--reverse", description = "Translate English -> French instead of French -> English.")
    boolean reverse;

    @Option(names = "--max-words", defaultValue = "0", paramLabel = "N",
            description = "Keep only pairs whose sides have at most N words after normalisation (0 = all; default: ${DEFAULT-VALUE}).")
    int maxWords;

    @Option(names = "--cell", defaultValue = "gru", paramLabel = "CELL",
            description = "Recurrent cell of encoder and decoder: gru or lstm (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--attention", defaultValue = "additive", paramLabel = "KIND",
            description = "additive (Bahdanau) or multihead (default: ${DEFAULT-VALUE}).")
    String attention;

    @Option(names = "--heads", defaultValue = "4", paramLabel = "N", description = "Heads of multihead attention (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--hidden", defaultValue = "256", paramLabel = "N",
            description = "Hidden size of the decoder and of each encoder direction (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--embedding", defaultValue = "256", paramLabel = "N", description = "Word embedding size (default: ${DEFAULT-VALUE}).")
    int embedding;

    @Option(names = "--dropout", defaultValue = "0.2", paramLabel = "P",
            description = "Dropout of the embeddings and of the attentional vector (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--label-smoothing", defaultValue = "0.1", paramLabel = "EPS",
            description = "Label smoothing of the training loss (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR",
            description = "Adam learning rate, decayed along a cosine to 5%% by the end of the time budget (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "Sentence pairs per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--beam", defaultValue = "5", paramLabel = "K",
            description = "Beam width of the test translations, length-normalised; 1 = greedy (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--minutes", defaultValue = "10", paramLabel = "M",
            description = "Time budget of the whole run, test included; training stops early to finish within it (0 = none; "
                    + "default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--clock", defaultValue = "wall", paramLabel = "KIND",
            description = "What --minutes measures: wall (elapsed time) or cpu (the process's CPU time, for measuring on a shared "
                    + "machine: with --threads 1, N CPU minutes bound N minutes on one dedicated core; default: ${DEFAULT-VALUE}).")
    String clock;

    @Option(names = "--epochs", defaultValue = "0", paramLabel = "N", description = "Most epochs (0 = no limit; default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N", description = "Stop after N training steps (0 = no limit).")
    long maxSteps;

    @Option(names = "--examples", defaultValue = "6", paramLabel = "N", description = "Test examples to print (default: ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--out-dir", defaultValue = "rnn4j-output", paramLabel = "DIR",
            description = "Where the model and PNGs go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--model", paramLabel = "FILE", description = "Model file to write (default: OUT-DIR/translate-SRC-TGT.safetensors).")
    Path modelFile;

    /** One training example: source ids (eos last) and target ids (no bos/eos). */
    record Example(int[] source, int[] target) {
    }

    /** A collated batch: sources, decoder inputs (bos first), decoder targets (eos last, ignore index after). */
    record Batch(PaddedSequences source, PaddedSequences prefix, int[] targets, int tokens) {
        int size() {
            return source.batchSize();
        }
    }

    @Override
    public Integer call() throws IOException {
        validate();
        RunClock budget = new RunClock(minutes, clockKind());
        Backend backend = common.backend();
        String src = reverse ? "eng" : "fra";
        String tgt = reverse ? "fra" : "eng";
        Pairs.Loaded loaded = pairs == null ? Pairs.bundled(reverse) : Pairs.read(pairs, reverse);
        List<Pairs.Pair> all = loaded.pairs();
        int tooLong = 0;
        if (maxWords > 0) {
            List<Pairs.Pair> kept = new ArrayList<>();
            for (Pairs.Pair p : all) {
                if (Pairs.words(p.source()) <= maxWords && Pairs.words(p.target()) <= maxWords) {
                    kept.add(p);
                }
            }
            tooLong = all.size() - kept.size();
            all = kept;
            if (all.size() < 10) {
                throw new UserError("only " + all.size() + " pairs have at most " + maxWords + " words per side; raise --max-words");
            }
        }
        List<int[]> parts = Splits.random(all.size(), common.seed, 0.8, 0.1, 0.1);
        List<Pairs.Pair> train = pick(all, parts.get(0));
        List<Pairs.Pair> validation = pick(all, parts.get(1));
        List<Pairs.Pair> test = pick(all, parts.get(2));
        Vocabulary sourceVocab = Vocabulary.words().pad().unk().bos().eos().build(train.stream().map(Pairs.Pair::source).toList());
        Vocabulary targetVocab = Vocabulary.words().pad().unk().bos().eos().build(train.stream().map(Pairs.Pair::target).toList());
        System.out.printf(Locale.ROOT, "translate %s -> %s: %d pairs from %s%s%s%n", src, tgt, all.size(), loaded.origin(),
                loaded.skipped() > 0 ? " (" + loaded.skipped() + " empty after normalisation left out)" : "",
                tooLong > 0 ? " (" + tooLong + " longer than " + maxWords + " words left out)" : "");
        System.out.printf(Locale.ROOT, "split (seed %d): train %d, validation %d, test %d; vocabularies: %s %d words, %s %d words%n",
                common.seed, train.size(), validation.size(), test.size(), src, sourceVocab.size(), tgt, targetVocab.size());

        Seq2Seq.register();
        Seq2Seq.Config config = new Seq2Seq.Config(cell, attention, sourceVocab.size(), targetVocab.size(), embedding, hidden, heads, dropout,
                sourceVocab.padId(), targetVocab.padId(), common.seed);
        Seq2Seq model = new Seq2Seq(config, backend, DType.FLOAT32);
        System.out.printf(Locale.ROOT, "model: %s (%,d parameters)%n", model.explain(), model.parameterCount());
        System.out.flush();
        Translator translator = new Translator(model, sourceVocab, targetVocab);

        Dataset<Example> trainSet = Dataset.of(encode(train, translator, targetVocab));
        Dataset<Example> valSet = Dataset.of(encode(validation, translator, targetVocab));
        CrossEntropyOptions smoothed = CrossEntropyOptions.defaults().withLabelSmoothing(labelSmoothing);
        CrossEntropyOptions plain = CrossEntropyOptions.defaults();
        Path out = modelFile != null ? modelFile : outDir.resolve("translate-" + src + "-" + tgt + ".safetensors");
        String stem = stem(out);
        Path csv = out.resolveSibling(stem + "-history.csv");
        Path curvePng = out.resolveSibling(stem + "-curves.png");
        Path heatPng = out.resolveSibling(stem + "-attention.png");
        createDirectories(out);
        Files.deleteIfExists(csv);

        Adam adam = Adam.builder(model.parameters().values()).lr(lr).build();
        KeepBest best = new KeepBest(null, "val_bleu", true, Map.of());
        Deadline deadline = new Deadline(budget, lr);
        Fit.Result result;
        try (DataLoader<Example, Batch> trainLoader = DataLoader.builder(trainSet, (List<Example> l) -> collate(l, sourceVocab, targetVocab))
                .batchSize(batch).shuffle(common.seed).bucketByLength(e -> e.source().length, 20).prefetch(2).build();
                DataLoader<Example, Batch> valLoader = DataLoader.builder(valSet, (List<Example> l) -> collate(l, sourceVocab, targetVocab))
                        .batchSize(256).bucketByLength(e -> e.source().length, 1).build()) {
            Fit.Builder<Batch> fit = Fit.builder(model, adam, trainLoader, b -> loss(model, b, smoothed))
                    .examples(b -> b.size())
                    .clipGradNorm(5)
                    .validation(valLoader, b -> loss(model, b, plain), b -> b.tokens())
                    .validationMetrics(() -> deadline.timedValidation(() -> Map.of("val_bleu", bleu(translator, validation, 1))))
                    .callbacks(deadline, new ProgressBar(System.err, System.out, "translate"), new CsvLogger(csv), best);
            if (budget.kind() == RunClock.Kind.WALL && budget.totalSeconds() < Double.POSITIVE_INFINITY) {
                fit.timeBudget(Duration.ofMillis((long) (budget.totalSeconds() * 1000)));
            }
            if (maxSteps > 0) {
                fit.maxSteps(maxSteps);
            }
            if (epochs > 0) {
                fit.epochs(epochs);
            } else if (maxSteps == 0 && budget.kind() == RunClock.Kind.CPU) {
                fit.epochs(Integer.MAX_VALUE); // the Deadline callback ends the run
            }
            result = fit.run();
        }
        if (result.failed()) {
            throw new NonFiniteException(result.detail(), -1);
        }
        List<Map<String, Double>> history = new ArrayList<>(result.history());
        long lastEpochStep = history.isEmpty() ? 0 : Math.round(history.get(history.size() - 1).get("step"));
        String kept;
        if (result.steps() > lastEpochStep) {
            // the run stopped inside an epoch: validate the last weights too, and keep them if they are better
            double partialBleu;
            double partialLoss;
            model.eval();
            try (Grad.Scope off = Grad.disabled()) {
                partialBleu = bleu(translator, validation, 1);
                partialLoss = validationLoss(model, valSet, sourceVocab, targetVocab, plain);
            }
            Map<String, Double> last = new LinkedHashMap<>();
            last.put("epoch", history.size() + (result.steps() - lastEpochStep) / (double) batchesPerEpoch(trainSet.size()));
            last.put("step", (double) result.steps());
            last.put("val_loss", partialLoss);
            last.put("val_bleu", partialBleu);
            history.add(last);
            System.out.printf(Locale.ROOT, "end of run (step %d, inside epoch %d)  val_loss %.4f  val_bleu %.4f%n", result.steps(),
                    result.history().size() + 1, partialLoss, partialBleu);
            if (Double.isNaN(best.best()) || partialBleu > best.best()) {
                kept = String.format(Locale.ROOT, "kept the last weights (step %d, validation BLEU %.4f)", result.steps(), partialBleu);
            } else {
                best.restore();
                kept = String.format(Locale.ROOT, "kept the weights of epoch %d (validation BLEU %.4f)", best.bestEpoch() + 1, best.best());
            }
        } else {
            best.restore();
            kept = String.format(Locale.ROOT, "kept the weights of epoch %d (validation BLEU %.4f)", best.bestEpoch() + 1, best.best());
        }
        System.out.println(kept + "; trained " + result.steps() + " steps in " + Progress.time(result.seconds()));
        System.out.flush();

        // the test set
        List<String> sources = test.stream().map(Pairs.Pair::source).toList();
        List<String> references = test.stream().map(Pairs.Pair::target).toList();
        List<Translator.Translation> greedy = translator.translate(sources, 1);
        double greedyBleu = Bleu.corpus(words(greedy), references);
        List<Translator.Translation> beamed = beam == 1 ? greedy : translator.translate(sources, beam);
        double testBleu = Bleu.corpus(words(beamed), references);

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", "translate");
        meta.put("direction", src + "->" + tgt);
        meta.put("normalisation", "pytorch-seq2seq-tutorial");
        meta.put("test_bleu", Double.toString(testBleu));
        meta.put("test_bleu_greedy", Double.toString(greedyBleu));
        meta.put("beam", Integer.toString(beam));
        try {
            Models.save(out, model, Map.of("source", sourceVocab, "target", targetVocab), meta);
        } catch (IOException e) {
            throw new UserError("cannot write the model " + out + ": " + e.getMessage() + "; pass a writable --out-dir or --model");
        }
        charts(history, curvePng, config);
        int shown = Math.min(examples, test.size());
        int heatIndex = heatMapSentence(test, beamed);
        double[][] weights = translator.attention(sources.get(heatIndex), beamed.get(heatIndex).words());
        Charts.heatMap(heatPng, "attention, " + src + " -> " + tgt + ": " + sources.get(heatIndex), "source",
                "translation", withEnd(sources.get(heatIndex)), withEnd(beamed.get(heatIndex).words()), weights);
        System.out.println("wrote " + out + ", " + curvePng + ", " + heatPng + ", " + csv);
        System.out.println("test examples (> source, = reference, < translation, beam " + beam + "):");
        for (int i = 0; i < shown; i++) {
            System.out.println("> " + sources.get(i));
            System.out.println("= " + references.get(i));
            System.out.println("< " + beamed.get(i).words());
        }
        System.out.printf(Locale.ROOT, "run time: %s wall, %s CPU (budget: %s)%n", Progress.time(budget.wallSeconds()),
                Progress.time(budget.cpuSeconds()), Double.isInfinite(budget.totalSeconds()) ? "none"
                        : Progress.time(budget.totalSeconds()) + (budget.kind() == RunClock.Kind.CPU ? " of CPU time" : " of wall time"));
        if (beam != 1) {
            System.out.printf(Locale.ROOT, "test BLEU greedy: %.3f%n", greedyBleu);
        }
        System.out.printf(Locale.ROOT, "test BLEU: %.3f%n", testBleu);
        return 0;
    }

    private String src() {
        return reverse ? "eng -> fra" : "fra -> eng";
    }

    private RunClock.Kind clockKind() {
        return switch (clock) {
            case "wall" -> RunClock.Kind.WALL;
            case "cpu" -> RunClock.Kind.CPU;
            default -> throw new UserError("--clock " + clock + " is not one of wall, cpu");
        };
    }

    private int batchesPerEpoch(int examples) {
        return Math.max(1, (examples + batch - 1) / batch);
    }

    private void validate() {
        positive("--hidden", hidden);
        positive("--embedding", embedding);
        positive("--batch", batch);
        positive("--beam", beam);
        positive("--heads", heads);
        if (!Seq2Seq.CELLS.contains(cell)) {
            throw new UserError("--cell " + cell + " is not one of " + String.join(", ", Seq2Seq.CELLS));
        }
        if (!Seq2Seq.ATTENTIONS.contains(attention)) {
            throw new UserError("--attention " + attention + " is not one of " + String.join(", ", Seq2Seq.ATTENTIONS));
        }
        if (attention.equals("multihead") && hidden % heads != 0) {
            throw new UserError("--heads " + heads + " does not divide --hidden " + hidden + "; pick a divisor");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UserError("--dropout " + dropout + " is outside [0, 1)");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new UserError("--label-smoothing " + labelSmoothing + " is outside [0, 1)");
        }
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new UserError("--lr " + lr + " must be a positive number");
        }
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw new UserError("--minutes " + minutes + " must be 0 (no budget) or a positive number");
        }
        if (maxWords < 0 || epochs < 0 || maxSteps < 0 || examples < 0) {
            throw new UserError("--max-words, --epochs, --max-steps and --examples must be >= 0");
        }
        clockKind();
        if (minutes == 0 && epochs == 0 && maxSteps == 0) {
            throw new UserError("no end of training: --minutes 0 needs --epochs or --max-steps");
        }
    }

    static void positive(String option, long value) {
        if (value < 1) {
            throw new UserError(option + " " + value + " must be at least 1");
        }
    }

    private static List<Pairs.Pair> pick(List<Pairs.Pair> all, int[] idx) {
        List<Pairs.Pair> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(all.get(i));
        }
        return out;
    }

    private static List<Example> encode(List<Pairs.Pair> pairs, Translator translator, Vocabulary target) {
        List<Example> out = new ArrayList<>(pairs.size());
        for (Pairs.Pair p : pairs) {
            out.add(new Example(translator.encodeSource(p.source()), target.encodeTokens(List.of(p.target().split(" ")))));
        }
        return out;
    }

    static Batch collate(List<Example> examples, Vocabulary source, Vocabulary target) {
        List<int[]> srcs = new ArrayList<>(examples.size());
        List<int[]> prefixes = new ArrayList<>(examples.size());
        List<int[]> outs = new ArrayList<>(examples.size());
        int tokens = 0;
        for (Example e : examples) {
            srcs.add(e.source());
            int[] prefix = new int[e.target().length + 1];
            prefix[0] = target.bosId();
            System.arraycopy(e.target(), 0, prefix, 1, e.target().length);
            prefixes.add(prefix);
            outs.add(Translator.append(e.target(), target.eosId()));
            tokens += prefix.length;
        }
        return new Batch(Collate.pad(srcs, source.padId()), Collate.pad(prefixes, target.padId()), Collate.padTargets(outs).flat(), tokens);
    }

    /** The mean cross-entropy per target token of a batch (teacher forcing). */
    static Var loss(Seq2Seq model, Batch b, CrossEntropyOptions options) {
        Var logits = model.decode(model.encode(b.source()), b.prefix()).logits();
        int v = logits.dim(2);
        return Losses.crossEntropy(F.reshape(logits, b.size() * b.prefix().steps(), v), b.targets(), options);
    }

    private static double validationLoss(Seq2Seq model, Dataset<Example> set, Vocabulary source, Vocabulary target, CrossEntropyOptions o) {
        double sum = 0;
        long count = 0;
        for (int from = 0; from < set.size(); from += 256) {
            List<Example> part = new ArrayList<>();
            for (int i = from; i < Math.min(set.size(), from + 256); i++) {
                part.add(set.get(i));
            }
            Batch b = collate(part, source, target);
            sum += loss(model, b, o).value().item() * b.tokens();
            count += b.tokens();
        }
        return sum / count;
    }

    /** Corpus BLEU of the translations of {@code pairs} (beam {@code beam}; 1 = greedy) against their targets. */
    static double bleu(Translator translator, List<Pairs.Pair> pairs, int beam) {
        List<Translator.Translation> t = translator.translate(pairs.stream().map(Pairs.Pair::source).toList(), beam);
        return Bleu.corpus(words(t), pairs.stream().map(Pairs.Pair::target).toList());
    }

    static List<String> words(List<Translator.Translation> ts) {
        return ts.stream().map(Translator.Translation::words).toList();
    }

    private static List<String> withEnd(String sentence) {
        List<String> l = new ArrayList<>(sentence.isEmpty() ? List.of() : List.of(sentence.split(" ")));
        l.add("<eos>");
        return l;
    }

    /** The longest of the first test sentences whose translation ended (a heat map with something to show). */
    private static int heatMapSentence(List<Pairs.Pair> test, List<Translator.Translation> t) {
        int best = 0;
        for (int i = 0; i < Math.min(test.size(), 50); i++) {
            if (t.get(i).finished() && Pairs.words(test.get(i).source()) > Pairs.words(test.get(best).source())) {
                best = i;
            }
        }
        return best;
    }

    private void charts(List<Map<String, Double>> history, Path png, Seq2Seq.Config config) {
        int n = history.size();
        double[] x = new double[n];
        double[] trainLoss = new double[n];
        double[] valLoss = new double[n];
        double[] valBleu = new double[n];
        for (int i = 0; i < n; i++) {
            Map<String, Double> h = history.get(i);
            x[i] = h.containsKey("loss") ? i + 1 : h.get("epoch");
            trainLoss[i] = h.getOrDefault("loss", Double.NaN);
            valLoss[i] = h.get("val_loss");
            valBleu[i] = h.get("val_bleu");
        }
        Charts.lines(png, String.format(Locale.ROOT, "translate: %s %s encoder-decoder, %s attention", src(), config.cell(),
                config.attention()), "epoch", "loss (nats per token) / BLEU",
                List.of(new Charts.Line("train loss (label-smoothed)", x, trainLoss), new Charts.Line("validation loss", x, valLoss),
                        new Charts.Line("validation BLEU (greedy)", x, valBleu, true)));
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
    }

    private static void createDirectories(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UserError("cannot create " + parent + ": " + e.getMessage() + "; pass a writable --out-dir or --model");
        }
    }

    /**
     * Ends training in time for the work after it, and decays the learning rate along a cosine over the
     * time budget (or the planned steps). The reserve is what the end of the run needs: a last validation, greedy and
     * beam decoding of the test set (each about as long as the latest validation decoding, the beam
     * several times that), writing the files.
     */
    static final class Deadline implements Callback {
        private final RunClock budget;
        private final double baseLr;
        private double validationSeconds = Double.NaN;

        Deadline(RunClock budget, double baseLr) {
            this.budget = budget;
            this.baseLr = baseLr;
        }

        Map<String, Double> timedValidation(java.util.function.Supplier<Map<String, Double>> v) {
            double t0 = budget.elapsedSeconds();
            Map<String, Double> m = v.get();
            validationSeconds = budget.elapsedSeconds() - t0;
            return m;
        }

        double reserveSeconds() {
            double total = budget.totalSeconds();
            if (Double.isInfinite(total)) {
                return 0;
            }
            // before the first validation: a tenth of the budget
            return Double.isNaN(validationSeconds) ? 0.1 * total : 8 * validationSeconds + 10;
        }

        @Override
        public void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
            double trainSeconds = budget.totalSeconds() - reserveSeconds();
            double fraction = Double.isInfinite(trainSeconds) ? 0 : budget.elapsedSeconds() / trainSeconds;
            if (ctx.plannedSteps() > 0) {
                fraction = Math.max(fraction, step / (double) ctx.plannedSteps());
            }
            ctx.optimizer().setLr(Budget.cosine(baseLr, fraction, 0.05));
            if (budget.exhausted(reserveSeconds())) {
                ctx.requestStop(String.format(Locale.ROOT, "time budget: %.0f s kept for the test", reserveSeconds()));
            }
        }

        @Override
        public void onEpochEnd(Fit.Context ctx, long epoch, Map<String, Double> logs) {
            if (budget.exhausted(reserveSeconds())) {
                ctx.requestStop(String.format(Locale.ROOT, "time budget: %.0f s kept for the test", reserveSeconds()));
            }
        }
    }
}
