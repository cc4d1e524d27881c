package org.rnn4j.examples.charrnn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.TokenStreams;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.decode.Sampler;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.ModelFiles;
import org.rnn4j.examples.cli.StepProgress;
import org.rnn4j.examples.cli.TimeBudget;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.Bundled;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.io.Excerpt;
import org.rnn4j.loss.Losses;
import org.rnn4j.models.Models;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.tensor.Backend;
import org.rnn4j.train.Callback;
import org.rnn4j.train.Fit;
import org.rnn4j.train.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code charrnn}: a character-level language model, trained with truncated BPTT, checkpointed, resumable. */
@Command(name = "charrnn", mixinStandardHelpOptions = true, subcommands = CharRnnSampleCommand.class,
        description = {"Character-level language model on tiny-shakespeare or --text FILE; 'charrnn sample' generates.", "",
                "Trains a character-level language model on tiny-shakespeare (bundled) or --text FILE with truncated "
                + "BPTT and Adam; reports train and validation loss in nats per character; saves checkpoints (model file with "
                + "its vocabulary, optimizer state, carried state) atomically; --resume continues the same loss curve; ends by printing "
                + "generated text. 'charrnn sample' generates from a checkpoint."})
public final class CharRnnCommand implements Callable<Integer> {
    static final List<String> CELLS = List.of("lstm", "gru", "rnn");

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--text", paramLabel = "FILE", description = "UTF-8 text to learn (default: the bundled tiny-shakespeare).")
    Path text;

    @Option(names = "--cell", defaultValue = "lstm", paramLabel = "CELL", description = "lstm, gru or rnn (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--layers", defaultValue = "1", paramLabel = "N", description = "Recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--hidden", defaultValue = "256", paramLabel = "N", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--embedding", defaultValue = "64", paramLabel = "N", description = "Character embedding size (default: ${DEFAULT-VALUE}).")
    int embedding;

    @Option(names = "--dropout", defaultValue = "0", paramLabel = "P", description = "Dropout between layers (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "Streams per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "32", paramLabel = "T",
            description = "Truncated-BPTT length: characters per stream per step (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--clip", defaultValue = "5", paramLabel = "NORM", description = "Gradient norm clipping (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--minutes", defaultValue = "9.75", paramLabel = "M",
            description = "Time budget for the run, final evaluation and sample included, counted across --resume "
                    + "(0 = none; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--schedule", defaultValue = "cosine", paramLabel = "KIND",
            description = "Learning rate: cosine (decays to 5%% by the end of --minutes or --epochs; constant when neither is "
                    + "set) or constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--epochs", defaultValue = "0", paramLabel = "N", description = "Stop after N epochs (0 = no limit).")
    int epochs;

    @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N",
            description = "Stop when the step count (continued across --resume) reaches N (0 = no limit).")
    long maxSteps;

    @Option(names = "--validation", defaultValue = "0.1", paramLabel = "F",
            description = "Fraction at the end of the text held out for validation (default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--eval-every", defaultValue = "100", paramLabel = "N",
            description = "Evaluate and save a checkpoint every N steps (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-chars", defaultValue = "20000", paramLabel = "N",
            description = "Validation characters used by the periodic evaluations; the final one uses all (default: ${DEFAULT-VALUE}).")
    int evalChars;

    @Option(names = "--out-dir", defaultValue = "rnn4j-output", paramLabel = "DIR",
            description = "Where the checkpoint and loss curve go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint to write and resume from (default: OUT-DIR/charrnn.safetensors).")
    Path checkpoint;

    @Option(names = "--resume", description = "Continue from --checkpoint: model, optimizer state, step, carried state and loss history.")
    boolean resume;

    @Option(names = "--sample-length", defaultValue = "400", paramLabel = "N",
            description = "Characters generated at the end (0 = none; default: ${DEFAULT-VALUE}).")
    int sampleLength;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T", description = "Sampling temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--prime", paramLabel = "TEXT", description = "Text the final sample starts from (default: a newline).")
    String prime;

    /** The name of the vocabulary in the model file. */
    static final String VOCAB = "chars";

    // the run, shared with its callbacks
    private Path ckpt;
    private CharModel model;
    private int[] train;
    private int[] val;
    private int stepsPerEpoch;
    private TimeBudget timing;
    private StepProgress progress;
    private List<double[]> validation = new ArrayList<>();

    @Override
    public Integer call() {
        validate();
        ckpt = checkpoint != null ? checkpoint : outDir.resolve("charrnn.safetensors");
        String source = text == null ? "bundled " + Bundled.SHAKESPEARE : text.toString();
        String corpus = text == null ? Bundled.text(Bundled.SHAKESPEARE) : Bundled.readFile(text, "--text");
        if (corpus.isEmpty()) {
            throw new UserError("text " + source + " is empty; pass a non-empty UTF-8 file with --text");
        }
        Backend backend = common.backend();
        String resumeFix = "resume with the settings it was trained with, or start afresh without --resume";
        Vocabulary vocab;
        Map<String, String> saved = Map.of();
        long savedStep = 0;
        double savedSeconds = 0;
        if (resume) {
            String hint = "run without --resume to start a new one (or pass --checkpoint FILE)";
            Models.Loaded loaded = ModelFiles.load(ckpt, backend, hint);
            CharModel previous = ModelFiles.model(loaded, CharModel.class, VOCAB, ckpt, "charrnn", hint);
            saved = loaded.metadata();
            adoptSettings(previous, saved, ckpt);
            vocab = ModelFiles.vocabulary(loaded, VOCAB, previous.vocabularySize(), ckpt, hint);
            corpus.codePoints().filter(c -> vocab.idOfCodePoint(c) < 0).findFirst().ifPresent(c -> {
                throw new UserError("checkpoint " + ckpt + " has a vocabulary of " + vocab.size() + " characters without '" + printable(c)
                        + "', which " + source + " contains; resume on the text it was trained on, or start afresh without --resume");
            });
            if (!Long.toString(crc(corpus)).equals(saved.get("text_crc32"))) {
                throw new UserError("checkpoint " + ckpt + " was trained on another text (" + Excerpt.of(saved.get("text"), 80) + ") than "
                        + source + "; resume on the text it was trained on, or start afresh without --resume");
            }
            savedStep = parse(saved.get(Models.TRAINING_PREFIX + "step"), -1);
            savedSeconds = parse(saved.get(Models.TRAINING_PREFIX + "seconds"), 0.0);
            validation = readValidation(saved.get("validation"), savedStep, ckpt);
        } else {
            vocab = Vocabulary.characters().add(corpus).build();
        }
        int[] ids = vocab.encode(corpus);
        int split = (int) Math.round(ids.length * (1 - validationFraction));
        train = Arrays.copyOfRange(ids, 0, split);
        val = Arrays.copyOfRange(ids, split, ids.length);
        if (!TokenStreams.fits(train.length, batch, seq) || val.length < 2) {
            long needed = minimumLength(batch, seq, validationFraction);
            boolean trainShort = !TokenStreams.fits(train.length, batch, seq);
            throw new UserError("text " + source + " has " + ids.length + " characters, too few: " + (trainShort
                    ? "its training part (" + train.length + " characters with --validation " + validationFraction + ") needs at least "
                    + ((long) batch * seq + 1) + " for --batch " + batch + " --seq " + seq
                    : "its validation part (--validation " + validationFraction + ") has " + val.length + " characters and needs at least 2")
                    + "; the text needs at least " + needed + " characters; " + (trainShort ? "lower --batch or --seq" : "raise --validation")
                    + ", or pass a longer --text");
        }
        CharModel.footprint(cell, vocab.size(), embedding, hidden, layers, batch, seq, "lower --hidden, --layers, --embedding, --batch or --seq")
                .check(true);
        model = CharModel.create(cell, vocab.size(), embedding, hidden, layers, dropout, backend, common.seed);
        TokenStreams streams = new TokenStreams(train, batch, seq);
        stepsPerEpoch = streams.stepsPerEpoch();
        if (resume) {
            System.out.printf(Locale.ROOT, "resumed from %s at step %d (%s of the --minutes budget already spent)%n", ckpt, savedStep,
                    Progress.time(savedSeconds));
            if (minutes > 0 && savedSeconds + 5 >= minutes * 60) {
                throw new UserError("the run in " + ckpt + " already used " + Progress.time(savedSeconds) + " of --minutes " + minutes
                        + "; pass a larger --minutes (it counts the whole run across --resume) or --minutes 0 for no limit");
            }
            if (maxSteps > 0 && savedStep >= maxSteps) {
                throw new UserError("the run in " + ckpt + " is at step " + savedStep + ", not below --max-steps " + maxSteps
                        + "; pass a larger --max-steps (it counts the whole run across --resume)");
            }
        }
        System.out.printf(Locale.ROOT, "charrnn: %s, %,d characters (%,d train, %,d validation), vocabulary %d characters: %s%n", source,
                ids.length, train.length, val.length, vocab.size(), vocab.decode(java.util.stream.IntStream.range(0, Math.min(40, vocab.size()))
                        .toArray()).replace("\n", "\\n") + (vocab.size() > 40 ? "..." : ""));
        System.out.printf(Locale.ROOT, "model: %s (%,d parameters); %s%n", model.describe(), model.parameterCount(), model.rnn().explain());
        System.out.printf(Locale.ROOT, "training: batch %d x %d characters, %d steps per epoch, Adam lr %s, clip %s%n", batch, seq,
                streams.stepsPerEpoch(), lr, clip);
        System.out.flush();

        Adam adam = Adam.builder(model.parameters().values()).lr(lr).build();
        timing = new TimeBudget(minutes, lr, schedule.equals("cosine"), epochs > 0 ? (long) epochs * stepsPerEpoch : 0, 5);
        progress = new StepProgress(common.progress("charrnn").unit("chars"));
        Evaluations evaluations = new Evaluations();
        String crc = Long.toString(crc(corpus));
        Fit.Builder<TokenStreams.Chunk> fit = Fit.builder(model, adam, DataLoader.builder(streams, chunks -> chunks.get(0)).build(),
                c -> Losses.crossEntropy(model.streamLogits(c.inputs(), c.batch(), c.steps()), c.targets()))
                .clipGradNorm(clip).examples(c -> (long) batch * seq).callbacks(progress, timing, evaluations)
                .checkpoint(ckpt, evalEvery, Map.of(VOCAB, vocab), () -> Map.of("text", source, "text_crc32", crc, "batch", Integer.toString(batch),
                        "seq", Integer.toString(seq), "validation", evaluations.history()));
        if (epochs > 0) {
            fit.epochs(epochs);
        }
        if (minutes > 0) {
            fit.timeBudget(Duration.ofMillis(Math.round(minutes * 60_000)));
        }
        fit.maxSteps(maxSteps > 0 ? maxSteps : Long.MAX_VALUE - 1); // no limit: until --minutes, --epochs or Ctrl-C
        if (resume) {
            fit.resume(ckpt);
        }
        ModelFiles.createParent(ckpt);
        Fit.Result result;
        try {
            result = fit.run();
        } catch (IOException e) {
            throw new UserError("cannot read or write checkpoint " + ckpt + ": " + e + "; pass a writable path with --checkpoint or --out-dir", e);
        } catch (IllegalArgumentException e) {
            if (!resume || evaluations.started) {
                throw e;
            }
            String why = CommonOptions.firstLine(e.getMessage());
            throw new UserError("checkpoint " + ckpt + " cannot be resumed: " + (why.startsWith(ckpt + ": ") ? why.substring(ckpt.toString().length() + 2)
                    : why) + "; " + resumeFix, e);
        }
        if (result.stopReason() == Fit.StopReason.INTERRUPTED) {
            return 130;
        }
        if (result.failed()) {
            throw new NonFiniteException(result.detail(), -1);
        }
        Path png = outDir.resolve(ckpt.getFileName().toString().replaceFirst("\\.safetensors$", "") + "-loss.png");
        writeCurve(png, result.stepLosses(), validation, model.describe(), stepsPerEpoch);
        System.out.printf(Locale.ROOT, "saved %s and %s%n", ckpt, png);
        System.out.printf(Locale.ROOT, "validation loss: %.4f nats/char after %d steps (%.2f epochs) in %s%n", evaluations.last(),
                result.steps(), result.steps() / (double) streams.stepsPerEpoch(), Progress.time(evaluations.seconds));
        if (sampleLength > 0) {
            String start = prime != null ? prime : vocab.idOfCodePoint('\n') >= 0 ? "\n" : vocab.token(val[0]);
            checkPrime(start, vocab);
            System.out.printf(Locale.ROOT, "sample (temperature %s):%n", temperature);
            System.out.print(start);
            model.generate(vocab, start, sampleLength, Sampler.builder().temperature(temperature).build(), common.seed, s -> {
                System.out.print(s);
                System.out.flush();
            });
            System.out.println();
        }
        return 0;
    }

    /**
     * The periodic evaluations: every {@code --eval-every} steps the validation loss (on {@code --eval-chars}
     * characters), printed with the mean training loss since the last one and kept in the checkpoint's
     * metadata; at the end the loss on the whole validation part, saved with the final checkpoint. Also
     * resets the carried state at each epoch's start.
     */
    private final class Evaluations implements Callback {
        boolean started;
        double windowSum;
        int windowCount;
        double seconds;

        @Override
        public void onFitStart(Fit.Context ctx) {
            started = true;
        }

        @Override
        public void onEpochStart(Fit.Context ctx, long epoch) {
            model.rnn().resetState();
        }

        @Override
        public void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
            windowSum += loss;
            windowCount++;
            if (step % evalEvery == 0) {
                long t0 = System.nanoTime();
                int chars = Math.min(evalChars, val.length - 1);
                double vl = model.evaluate(val, train, chars, batch, seq);
                double charsPerSecond = chars / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
                timing.reserve(val.length / charsPerSecond + 3 + sampleLength * 0.01);
                validation.add(new double[] {step, vl});
                progress.result(String.format(Locale.ROOT, "step %6d  epoch %.2f  train loss %.4f  validation loss %.4f  (%s)", step,
                        step / (double) stepsPerEpoch, windowSum / windowCount, vl, Progress.time(ctx.seconds())));
                windowSum = 0;
                windowCount = 0;
            }
        }

        @Override
        public void onFitEnd(Fit.Context ctx, Fit.Result result) {
            if (result.stopReason() == Fit.StopReason.INTERRUPTED) {
                System.err.println("interrupted: saved step " + result.steps() + " to " + ckpt + "; continue with --resume");
            } else if (!result.failed()) {
                double vl = model.evaluate(val, train, 0, batch, seq);
                if (!validation.isEmpty() && validation.get(validation.size() - 1)[0] == result.steps()) {
                    validation.remove(validation.size() - 1);
                }
                validation.add(new double[] {result.steps(), vl});
                seconds = ctx.seconds();
                ctx.saveCheckpoint(ckpt);
            }
        }

        double last() {
            return validation.get(validation.size() - 1)[1];
        }

        /** The history as the checkpoint stores it: {@code step:loss} pairs separated by spaces. */
        String history() {
            StringBuilder sb = new StringBuilder();
            for (double[] h : validation) {
                sb.append(sb.length() == 0 ? "" : " ").append((long) h[0]).append(':').append(h[1]);
            }
            return sb.toString();
        }
    }

    /** The validation history of a checkpoint at {@code step}: finite losses at whole steps rising within 1..step. */
    private static List<double[]> readValidation(String stored, long step, Path ckpt) {
        String fix = "it is damaged; start afresh without --resume";
        if (stored == null) {
            throw new UserError("checkpoint " + ckpt + " lacks its validation history (metadata 'validation' is missing); " + fix);
        }
        List<double[]> out = new ArrayList<>();
        double last = 0;
        for (String row : stored.isBlank() ? new String[0] : stored.strip().split(" ")) {
            String[] p = row.split(":", -1);
            double s = p.length == 2 ? parse(p[0], Double.NaN) : Double.NaN;
            double loss = p.length == 2 ? parse(p[1], Double.NaN) : Double.NaN;
            if (!(s > last && (step < 0 || s <= step) && s == Math.rint(s) && Double.isFinite(loss))) {
                throw new UserError("checkpoint " + ckpt + " has a validation history whose row " + out.size() + " is '" + Excerpt.of(row, 40)
                        + "'; expected step:loss at whole steps rising within 1.." + step + " and finite losses; " + fix);
            }
            last = s;
            out.add(new double[] {s, loss});
        }
        return out;
    }

    private static double parse(String s, double otherwise) {
        try {
            return s == null ? otherwise : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    private static long parse(String s, long otherwise) {
        try {
            return s == null ? otherwise : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    static void checkPrime(String prime, Vocabulary vocab) {
        if (prime.isEmpty()) {
            throw new UserError("--prime is empty; pass at least one character, e.g. --prime 'ROMEO:'");
        }
        prime.codePoints().filter(c -> vocab.idOfCodePoint(c) < 0).findFirst().ifPresent(c -> {
            throw new UserError("--prime contains '" + printable(c) + "', which is not in the model's vocabulary (" + vocab
                    + "); use characters of the training text");
        });
    }

    static String printable(int cp) {
        return cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : new String(Character.toChars(cp));
    }

    static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }

    /**
     * The fewest characters a text needs for one training step of {@code batch} x {@code seq} and a
     * validation part of at least 2 characters with validation fraction {@code fraction}, as the split
     * above cuts it.
     */
    static long minimumLength(int batch, int seq, double fraction) {
        long train = (long) batch * seq + 1;
        // lower bounds of round(n (1 - f)) >= train and n - round(n (1 - f)) >= 2; then the first n that meets both
        long n = Math.max(train + 2, Math.max((long) Math.ceil((train - 0.5) / (1 - fraction)), (long) Math.ceil(1.5 / fraction)) - 1);
        for (int i = 0; i < 1000 && n < Integer.MAX_VALUE; i++, n++) {
            long t = Math.round(n * (1 - fraction));
            if (t >= train && n - t >= 2) {
                return n;
            }
        }
        return n;
    }

    private void validate() {
        if (!CELLS.contains(cell)) {
            throw new UserError("--cell " + cell + " is not a cell here; use one of " + String.join(", ", CELLS));
        }
        for (Object[] o : new Object[][] {{"--layers", layers}, {"--hidden", hidden}, {"--embedding", embedding}, {"--batch", batch},
            {"--seq", seq}, {"--eval-every", evalEvery}}) {
            if ((Integer) o[1] <= 0) {
                throw new UserError(o[0] + " " + o[1] + " must be at least 1");
            }
        }
        if (epochs < 0 || maxSteps < 0 || sampleLength < 0 || evalChars < 0) {
            throw new UserError("--epochs, --max-steps, --sample-length and --eval-chars must be >= 0");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new UserError("--dropout " + dropout + " is not a probability in [0, 1); pass e.g. 0.2");
        }
        if (!(lr > 0) || !(clip > 0)) {
            throw new UserError("--lr " + lr + " and --clip " + clip + " must be positive; pass e.g. --lr 2e-3 --clip 5");
        }
        if (!(temperature > 0)) {
            throw new UserError("--temperature " + temperature + " must be positive; pass e.g. 0.8");
        }
        if (!List.of("cosine", "constant").contains(schedule)) {
            throw new UserError("--schedule " + schedule + " is not a schedule; use cosine or constant");
        }
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new UserError("--validation " + validationFraction + " must be a fraction in (0, 1); pass e.g. 0.1");
        }
        CommonOptions.checkMinutes(minutes);
    }

    /**
     * On --resume, the model's sizes, --batch and --seq come from the checkpoint; given options must agree
     * (--dropout may change).
     */
    private void adoptSettings(CharModel saved, Map<String, String> meta, Path file) {
        var pr = spec.commandLine().getParseResult();
        int savedBatch = (int) parse(meta.get("batch"), -1L);
        int savedSeq = (int) parse(meta.get("seq"), -1L);
        if (savedBatch < 1 || savedSeq < 1) {
            throw new UserError("checkpoint " + file + " has metadata batch='" + Excerpt.of(meta.get("batch"), 20) + "' and seq='"
                    + Excerpt.of(meta.get("seq"), 20) + "', not positive integers; it is damaged; start afresh without --resume");
        }
        List<String> conflicts = new ArrayList<>();
        Object[][] settings = {{"--cell", cell, saved.cell()}, {"--hidden", hidden, saved.rnn().hiddenSize()},
            {"--layers", layers, saved.rnn().numLayers()}, {"--embedding", embedding, saved.embeddingSize()}, {"--batch", batch, savedBatch},
            {"--seq", seq, savedSeq}};
        for (Object[] s : settings) {
            if (pr.hasMatchedOption((String) s[0]) && !s[1].equals(s[2])) {
                conflicts.add(s[0] + " " + s[2]);
            }
        }
        if (!conflicts.isEmpty()) {
            throw new UserError("checkpoint " + file + " holds a model of another shape or batching (" + saved.describe() + ", batch "
                    + savedBatch + " x " + savedSeq + "); resume with " + String.join(" ", conflicts) + " or drop those options");
        }
        cell = saved.cell();
        hidden = saved.rnn().hiddenSize();
        layers = saved.rnn().numLayers();
        embedding = saved.embeddingSize();
        batch = savedBatch;
        seq = savedSeq;
        if (!pr.hasMatchedOption("--dropout") && saved.rnn().config().get("dropout") instanceof Double p) {
            dropout = p;
        }
    }

    private static void writeCurve(Path png, List<Double> losses, List<double[]> validation, String title, int stepsPerEpoch) {
        int window = Math.max(1, losses.size() / 200);
        int points = losses.size() / window;
        double[] tx = new double[points];
        double[] ty = new double[points];
        for (int p = 0; p < points; p++) {
            for (int k = p * window; k < (p + 1) * window; k++) {
                ty[p] += losses.get(k) / window;
            }
            tx[p] = (p + 1) * window / (double) stepsPerEpoch;
        }
        double[] vx = new double[validation.size()];
        double[] vy = new double[validation.size()];
        for (int i = 0; i < vx.length; i++) {
            vx[i] = validation.get(i)[0] / stepsPerEpoch;
            vy[i] = validation.get(i)[1];
        }
        Charts.lines(png, "charrnn, " + title, "epoch", "loss (nats/char)",
                List.of(new Charts.Line("train", tx, ty), new Charts.Line("validation", vx, vy)));
    }
}
