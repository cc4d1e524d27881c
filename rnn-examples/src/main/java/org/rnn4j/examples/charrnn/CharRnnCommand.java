package org.rnn4j.examples.charrnn;

import org.rnn4j.spi.ComputeBackend;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.CRC32;
import org.rnn4j.tensor.Backend;
import org.rnn4j.examples.cli.Budget;
import org.rnn4j.examples.cli.CheckpointFiles;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.train.GracefulStop;
import org.rnn4j.train.Progress;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.data.Bundled;
import org.rnn4j.examples.data.Vocabulary;
import org.rnn4j.examples.plot.Charts;
import org.rnn4j.io.Excerpt;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensorsIndex;
import org.rnn4j.io.StoredType;
import org.rnn4j.loss.Losses;
import org.rnn4j.nn.Checkpoints;
import org.rnn4j.optim.Adam;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code charrnn}: a character-level language model, trained with truncated BPTT, checkpointed, resumable. */
@Command(name = "charrnn", mixinStandardHelpOptions = true, subcommands = CharRnnSampleCommand.class,
        description = {"Character-level language model on tiny-shakespeare or --text FILE; 'charrnn sample' generates.", "",
                "Trains a character-level language model on tiny-shakespeare (bundled) or --text FILE with truncated "
                + "BPTT and Adam; reports train and validation loss in nats per character; saves checkpoints (model, optimizer "
                + "state, vocabulary, carried state) atomically; --resume continues the same loss curve; ends by printing "
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

    private Budget budget;

    @Override
    public Integer call() {
        validate();
        Path ckpt = checkpoint != null ? checkpoint : outDir.resolve("charrnn.safetensors");
        String source = text == null ? "bundled " + Bundled.SHAKESPEARE : text.toString();
        String corpus = text == null ? Bundled.text(Bundled.SHAKESPEARE) : Bundled.readFile(text, "--text");
        if (corpus.isEmpty()) {
            throw new UserError("text " + source + " is empty; pass a non-empty UTF-8 file with --text");
        }
        SafeTensorsIndex resumed = null;
        String resumeFix = "resume with the settings it was trained with, or start afresh without --resume";
        Vocabulary vocab;
        if (resume) {
            resumed = CheckpointFiles.read(ckpt, "run without --resume to start a new one (or pass --checkpoint FILE)");
            if (!"charrnn".equals(resumed.metadata().get("model"))) {
                throw new UserError("checkpoint " + ckpt + " is not a charrnn checkpoint (model=" + Excerpt.of(resumed.metadata().get("model"), 60)
                        + "); pass a charrnn checkpoint with --checkpoint");
            }
            CharModel.Config saved = CharModel.Config.fromMetadata(resumed.metadata(), ckpt);
            adoptModelSettings(saved, ckpt);
            CheckpointFiles.requireHolds(resumed, saved.footprint(1, 1, resumeFix).parameterCount(), resumeFix);
            vocab = CheckpointFiles.vocabulary(resumed, saved.vocabulary(), "start afresh without --resume");
            Vocabulary textVocab = Vocabulary.of(corpus);
            for (int cp : textVocab.codePoints()) {
                if (!vocab.contains(cp)) {
                    throw new UserError("checkpoint " + ckpt + " has a vocabulary of " + vocab.size() + " characters without '"
                            + printable(cp) + "', which " + source + " contains; resume on the text it was trained on, or start "
                            + "afresh without --resume");
                }
            }
        } else {
            vocab = Vocabulary.of(corpus);
        }
        int[] ids = vocab.encode(corpus, -1);
        int split = (int) Math.round(ids.length * (1 - validationFraction));
        int[] train = java.util.Arrays.copyOfRange(ids, 0, split);
        int[] val = java.util.Arrays.copyOfRange(ids, split, ids.length);
        if (!CharStreams.fits(train.length, batch, seq) || val.length < 2) {
            long needed = minimumLength(batch, seq, validationFraction);
            boolean trainShort = !CharStreams.fits(train.length, batch, seq);
            throw new UserError("text " + source + " has " + ids.length + " characters, too few: " + (trainShort
                    ? "its training part (" + train.length + " characters with --validation " + validationFraction + ") needs at least "
                    + ((long) batch * seq + 1) + " for --batch " + batch + " --seq " + seq
                    : "its validation part (--validation " + validationFraction + ") has " + val.length + " characters and needs at least 2")
                    + "; the text needs at least " + needed + " characters; " + (trainShort ? "lower --batch or --seq" : "raise --validation")
                    + ", or pass a longer --text");
        }
        CharModel.Config config = new CharModel.Config(cell, vocab.size(), embedding, hidden, layers, dropout);
        config.footprint(batch, seq, "lower --hidden, --layers, --embedding, --batch or --seq").check(true);
        Backend backend = common.backend();
        CharModel model = new CharModel(config, backend, common.seed);
        Adam adam = Adam.builder(model.parameters().values()).lr(lr).build();
        Trainer trainer = new Trainer(model, adam).clipNorm(clip);
        CharStreams streams = new CharStreams(train, batch, seq);
        long step = 0;
        double spentSeconds = 0;
        List<Float> history = new ArrayList<>();
        List<double[]> valHistory = new ArrayList<>();
        if (resumed != null) {
            Checkpoints.Loaded loaded = CheckpointFiles.load(ckpt, model, resumeFix,
                    n -> n.startsWith(CheckpointFiles.OPTIM_PREFIX) || n.startsWith(HISTORY_PREFIX));
            step = CheckpointFiles.metaLong(loaded.metadata(), "step", ckpt, "charrnn", 0, Long.MAX_VALUE);
            CheckpointFiles.loadOptimizerState(adam, model.parameters().size(), step, loaded.extra(), backend, ckpt);
            spentSeconds = loaded.metadata().containsKey("train_seconds")
                    ? CheckpointFiles.metaDouble(loaded.metadata(), "train_seconds", ckpt, "charrnn", 0, Double.POSITIVE_INFINITY) : 0;
            readHistory(loaded.extra(), step, ckpt, history, valHistory);
            boolean sameBatching = Integer.toString(batch).equals(loaded.metadata().get("batch"))
                    && Integer.toString(seq).equals(loaded.metadata().get("seq"))
                    && Long.toString(crc(corpus)).equals(loaded.metadata().get("text_crc32"));
            if (!sameBatching) {
                model.resetState();
                System.err.println("note: --batch, --seq or the text differ from the checkpoint's; the carried state starts afresh");
            } else if (streams.startsEpoch(step)) {
                model.resetState();
            }
            System.out.printf(Locale.ROOT, "resumed from %s at step %d (%s of the --minutes budget already spent)%n", ckpt, step,
                    Progress.time(spentSeconds));
        }
        System.out.printf(Locale.ROOT, "charrnn: %s, %,d characters (%,d train, %,d validation), vocabulary %s%n", source, ids.length,
                train.length, val.length, vocab.describe());
        System.out.printf(Locale.ROOT, "model: %s (%,d parameters); %s%n", config.describe(), model.parameterCount(), model.rnn().explain());
        System.out.printf(Locale.ROOT, "training: batch %d x %d characters, %d steps per epoch, Adam lr %s, clip %s%n", batch, seq,
                streams.stepsPerEpoch(), lr, clip);
        System.out.flush();

        Budget budget = new Budget(minutes, spentSeconds);
        this.budget = budget;
        if (budget.exhausted(5)) {
            throw new UserError("the run in " + ckpt + " already used " + Progress.time(spentSeconds) + " of --minutes " + minutes
                    + "; pass a larger --minutes (it counts the whole run across --resume) or --minutes 0 for no limit");
        }
        int[] inputs = new int[batch * seq];
        int[] targets = new int[batch * seq];
        double evalCharsPerSecond = 0;
        double windowSum = 0;
        int windowCount = 0;
        boolean interrupted = false;
        final long firstStep = step;
        try (Progress progress = common.progress("charrnn"); GracefulStop stop = new GracefulStop(30)) {
            progress.budgetSeconds(budget.totalSeconds() - budget.elapsedSeconds()).unit("chars");
            if (maxSteps > 0) {
                progress.totalSteps(maxSteps - firstStep);
            }
            while (true) {
                if (stop.requested()) {
                    interrupted = true;
                    save(ckpt, model, adam, vocab, step, history, valHistory, corpus, source, Double.NaN);
                    progress.note("interrupted: saved step " + step + " to " + ckpt + "; continue with --resume");
                    stop.finished();
                    return 130;
                }
                double reserve = evalCharsPerSecond > 0 ? val.length / evalCharsPerSecond + 3 + sampleLength * 0.01 : 5;
                if ((maxSteps > 0 && step >= maxSteps) || (epochs > 0 && streams.epoch(step) >= epochs)
                        || (step > firstStep && budget.exhausted(reserve))) {
                    break;
                }
                if (streams.startsEpoch(step)) {
                    model.resetState();
                }
                streams.fill(step, inputs, targets);
                if (schedule.equals("cosine")) {
                    double fraction = Math.max(epochs > 0 ? step / ((double) epochs * streams.stepsPerEpoch()) : 0,
                            budget.elapsedSeconds() / (budget.totalSeconds() - reserve));
                    adam.setLr(Budget.cosine(lr, fraction, 0.05));
                }
                double loss = trainer.step(() -> Losses.crossEntropy(model.streamLogits(inputs, batch, seq), targets));
                step++;
                history.add((float) loss);
                windowSum += loss;
                windowCount++;
                progress.step(String.format(Locale.ROOT, "step %d epoch %.2f", step, step / (double) streams.stepsPerEpoch()),
                        step - firstStep, loss, (long) batch * seq);
                if (step % evalEvery == 0) {
                    long t0 = System.nanoTime();
                    int chars = Math.min(evalChars, val.length - 1);
                    double vl = CharStreams.evaluate(model, val, train, chars, batch, seq);
                    evalCharsPerSecond = chars / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
                    valHistory.add(new double[] {step, vl});
                    progress.result(String.format(Locale.ROOT, "step %6d  epoch %.2f  train loss %.4f  validation loss %.4f  (%s)", step,
                            step / (double) streams.stepsPerEpoch(), windowSum / windowCount, vl, Progress.time(budget.elapsedSeconds())));
                    windowSum = 0;
                    windowCount = 0;
                    save(ckpt, model, adam, vocab, step, history, valHistory, corpus, source, vl);
                    progress.resetRate();
                }
            }
        }
        double finalVal = CharStreams.evaluate(model, val, train, 0, batch, seq);
        if (valHistory.isEmpty() || valHistory.get(valHistory.size() - 1)[0] != step) {
            valHistory.add(new double[] {step, finalVal});
        }
        save(ckpt, model, adam, vocab, step, history, valHistory, corpus, source, finalVal);
        String stem = ckpt.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path png = outDir.resolve(stem + "-loss.png");
        writeCurve(png, history, valHistory, config, streams.stepsPerEpoch());
        System.out.printf(Locale.ROOT, "saved %s and %s%n", ckpt, png);
        System.out.printf(Locale.ROOT, "validation loss: %.4f nats/char after %d steps (%.2f epochs) in %s%n", finalVal, step,
                step / (double) streams.stepsPerEpoch(), Progress.time(budget.elapsedSeconds()));
        if (sampleLength > 0) {
            String start = prime != null ? prime : vocab.contains('\n') ? "\n" : vocab.charAt(val[0]);
            checkPrime(start, vocab);
            System.out.printf(Locale.ROOT, "sample (temperature %s):%n", temperature);
            System.out.print(start);
            Sampler.sample(model, vocab, start, sampleLength, temperature, common.seed, s -> {
                System.out.print(s);
                System.out.flush();
            });
            System.out.println();
        }
        return interrupted ? 130 : 0;
    }

    static final String HISTORY_PREFIX = "history.";

    /**
     * Fills {@code history} and {@code valHistory} from a checkpoint at {@code step}: a finite F32
     * {@code history.train_loss} of one loss per step, and a finite {@code history.validation} [n, 2]
     * of (step, loss) rows with steps rising within 0..step.
     */
    private static void readHistory(Map<String, HostTensor> extra, long step, Path ckpt, List<Float> history, List<double[]> valHistory) {
        String fix = "it is damaged; start afresh without --resume";
        HostTensor h = extra.get(HISTORY_PREFIX + "train_loss");
        if (h == null || h.type() != StoredType.F32 || h.rank() != 1 || h.size() != step || h.firstNonFinite() >= 0) {
            throw new UserError("checkpoint " + ckpt + " is at step " + step + " but its loss history 'history.train_loss' is "
                    + (h == null ? "missing" : h.type() + " " + Shapes.str(h.shape()) + (h.firstNonFinite() >= 0 ? " with non-finite values" : ""))
                    + " (expected F32 [" + step + "], one finite loss per step); " + fix);
        }
        for (float f : h.asFloats()) {
            history.add(f);
        }
        HostTensor vh = extra.get(HISTORY_PREFIX + "validation");
        if (vh == null || !vh.type().isFloatingPoint() || vh.rank() != 2 || vh.shape()[1] != 2 || vh.firstNonFinite() >= 0) {
            throw new UserError("checkpoint " + ckpt + " has a validation history 'history.validation' that is "
                    + (vh == null ? "missing" : vh.type() + " " + Shapes.str(vh.shape()) + (vh.firstNonFinite() >= 0 ? " with non-finite values" : ""))
                    + " (expected finite [n, 2] rows of step and loss); " + fix);
        }
        double[] d = vh.asDoubles();
        double last = -1;
        for (int i = 0; i < d.length; i += 2) {
            if (!(d[i] > last && d[i] <= step && d[i] == Math.rint(d[i]))) {
                throw new UserError("checkpoint " + ckpt + " has a validation history whose row " + (i / 2) + " is at step " + d[i]
                        + "; expected whole steps rising within 0.." + step + "; " + fix);
            }
            last = d[i];
            valHistory.add(new double[] {d[i], d[i + 1]});
        }
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

    /** On --resume, model options not given on the command line come from the checkpoint; given ones must agree. */
    private void adoptModelSettings(CharModel.Config saved, Path file) {
        var pr = spec.commandLine().getParseResult();
        List<String> conflicts = new ArrayList<>();
        if (pr.hasMatchedOption("--cell") && !cell.equals(saved.cell())) {
            conflicts.add("--cell " + saved.cell());
        }
        if (pr.hasMatchedOption("--hidden") && hidden != saved.hidden()) {
            conflicts.add("--hidden " + saved.hidden());
        }
        if (pr.hasMatchedOption("--layers") && layers != saved.layers()) {
            conflicts.add("--layers " + saved.layers());
        }
        if (pr.hasMatchedOption("--embedding") && embedding != saved.embedding()) {
            conflicts.add("--embedding " + saved.embedding());
        }
        if (!conflicts.isEmpty()) {
            throw new UserError("checkpoint " + file + " holds a model of another shape (" + saved.describe() + "); resume with "
                    + String.join(" ", conflicts) + " or drop those options");
        }
        cell = saved.cell();
        hidden = saved.hidden();
        layers = saved.layers();
        embedding = saved.embedding();
        if (!pr.hasMatchedOption("--dropout")) {
            dropout = saved.dropout();
        }
    }

    static void checkPrime(String prime, Vocabulary vocab) {
        if (prime.isEmpty()) {
            throw new UserError("--prime is empty; pass at least one character, e.g. --prime 'ROMEO:'");
        }
        prime.codePoints().forEach(c -> {
            if (!vocab.contains(c)) {
                throw new UserError("--prime contains '" + printable(c) + "', which is not in the model's vocabulary ("
                        + vocab.describe() + "); use characters of the training text");
            }
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

    private void save(Path ckpt, CharModel model, Adam adam, Vocabulary vocab, long step, List<Float> history, List<double[]> valHistory,
            String corpus, String source, double valLoss) {
        Map<String, HostTensor> extra = new LinkedHashMap<>(CheckpointFiles.optimizerState(adam));
        extra.put("vocab", vocab.toTensor());
        float[] h = new float[history.size()];
        for (int i = 0; i < h.length; i++) {
            h[i] = history.get(i);
        }
        extra.put("history.train_loss", HostTensor.ofFloats(h, h.length));
        double[] vh = new double[valHistory.size() * 2];
        for (int i = 0; i < valHistory.size(); i++) {
            vh[2 * i] = valHistory.get(i)[0];
            vh[2 * i + 1] = valHistory.get(i)[1];
        }
        extra.put("history.validation", HostTensor.ofDoubles(vh, valHistory.size(), 2));
        Map<String, String> meta = new LinkedHashMap<>(model.settings().toMetadata());
        meta.put("model", "charrnn");
        meta.put("step", Long.toString(step));
        meta.put("batch", Integer.toString(batch));
        meta.put("seq", Integer.toString(seq));
        meta.put("lr", Double.toString(lr));
        meta.put("clip", Double.toString(clip));
        meta.put("text", source);
        meta.put("text_crc32", Long.toString(crc(corpus)));
        meta.put("train_seconds", Double.toString(budget.elapsedSeconds()));
        if (!Double.isNaN(valLoss)) {
            meta.put("validation_loss", Double.toString(valLoss));
        }
        CheckpointFiles.save(ckpt, model, extra, meta);
    }

    private static void writeCurve(Path png, List<Float> history, List<double[]> valHistory, CharModel.Config config, int stepsPerEpoch) {
        int window = Math.max(1, history.size() / 200);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i + window <= history.size(); i += window) {
            double s = 0;
            for (int k = i; k < i + window; k++) {
                s += history.get(k);
            }
            pts.add(new double[] {(i + window) / (double) stepsPerEpoch, s / window});
        }
        double[] tx = new double[pts.size()];
        double[] ty = new double[pts.size()];
        for (int i = 0; i < tx.length; i++) {
            tx[i] = pts.get(i)[0];
            ty[i] = pts.get(i)[1];
        }
        double[] vx = new double[valHistory.size()];
        double[] vy = new double[valHistory.size()];
        for (int i = 0; i < vx.length; i++) {
            vx[i] = valHistory.get(i)[0] / stepsPerEpoch;
            vy[i] = valHistory.get(i)[1];
        }
        Charts.lines(png, "charrnn, " + config.describe(), "epoch", "loss (nats/char)",
                List.of(new Charts.Line("train", tx, ty), new Charts.Line("validation", vx, vy)));
    }
}
