package org.rnn4j.train;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.StoredType;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Stateful;
import org.rnn4j.nn.Stochastic;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.optim.schedule.LrScheduler;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * The training loop ({@code fit}, as in Keras and DL4J): epochs over a {@link DataLoader}, or a step
 * count, or a time budget, whichever ends first; gradient accumulation and clipping through
 * {@link Trainer}; a learning-rate schedule stepped per optimizer step or per epoch (a metric-driven
 * one with the monitored metric); validation each epoch; {@link Callback}s for everything else
 * (progress bar, CSV log, periodic checkpoints, keeping the best model, early stopping).
 *
 * <p><b>Stops</b> are reported, never thrown: the loop ends with a {@link Result} whose
 * {@link Result#stopReason()} says why (budget, a callback such as early stopping, Ctrl-C, or a NaN/Inf
 * loss or gradient naming the step and the parameter, in which case no parameter was updated by that
 * step).
 *
 * <p><b>Checkpoints</b> ({@link Builder#checkpoint(Path, long)}) hold everything a resumed run needs to
 * continue exactly as an uninterrupted one: the weights, the optimizer's and the schedule's state, the
 * data loader's position, the draw counters of {@link Stochastic} modules (dropout), the carried state
 * of {@link Stateful} modules, the step and epoch counters, the time spent and the loss history. They
 * are written atomically, so a killed run leaves the previous checkpoint intact. {@link Builder#resume}
 * restores one before the first step; a resumed run reproduces the uninterrupted loss curve. The
 * checkpoint of a model that {@link Models#canSave can be saved} as a model file is one: it holds the
 * architecture (and the vocabularies and metadata given to {@link Builder#checkpoint(Path, long, Map,
 * Supplier)}) beside the training state, so {@link Models#load} rebuilds the model from it.
 *
 * @param <B> the batch type the training loader yields
 */
public final class Fit<B> {

    /** The scalar training loss of one batch (the mean over its examples). */
    @FunctionalInterface
    public interface LossFunction<B> {
        Var loss(B batch);
    }

    /** Why a run ended. */
    public enum StopReason {
        /** The requested number of epochs ran. */
        EPOCHS,
        /** The requested number of optimizer steps ran. */
        STEPS,
        /** The time budget was spent. */
        TIME_BUDGET,
        /** A callback asked to stop (early stopping, for one); the detail says which. */
        CALLBACK,
        /** The process is shutting down (Ctrl-C, SIGTERM); a checkpoint was saved when configured. */
        INTERRUPTED,
        /** The loss or a gradient was NaN or infinite; the detail names the step and the parameter. */
        NON_FINITE
    }

    /**
     * The outcome of a run.
     *
     * @param history    one map per finished epoch ({@code epoch}, {@code step}, {@code loss}, {@code val_loss},
     *                   validation metrics, {@code lr}, {@code seconds})
     * @param stepLosses the training loss of every optimizer step since the run began (resumed runs included)
     * @param steps      optimizer steps taken in all
     * @param seconds    training time in all (resumed runs included)
     * @param stopReason why the loop ended
     * @param detail     a human-readable account of the stop
     */
    public record Result(List<Map<String, Double>> history, List<Double> stepLosses, long steps, double seconds, StopReason stopReason,
            String detail) {
        /** True when the run ended on a NaN or infinite value. */
        public boolean failed() {
            return stopReason == StopReason.NON_FINITE;
        }

        /** The last finished epoch's figures, or an empty map. */
        public Map<String, Double> last() {
            return history.isEmpty() ? Map.of() : history.get(history.size() - 1);
        }
    }

    /** What callbacks see of the running loop. */
    public final class Context {
        private String stopRequest;

        /** The model being trained. */
        public Module model() {
            return model;
        }

        /** The optimizer. */
        public Optimizer optimizer() {
            return trainer.optimizer();
        }

        /** Optimizer steps taken so far (resumed runs included). */
        public long step() {
            return trainer.steps();
        }

        /** The current epoch (0-based). */
        public long epoch() {
            return epoch;
        }

        /** Training seconds so far (resumed runs included). */
        public double seconds() {
            return secondsBefore + (System.nanoTime() - startNanos) / 1e9;
        }

        /** The epochs finished so far, with their figures. */
        public List<Map<String, Double>> history() {
            return Collections.unmodifiableList(history);
        }

        /** The planned number of optimizer steps in all, or -1 when the run is bounded otherwise. */
        public long plannedSteps() {
            if (maxSteps < Long.MAX_VALUE) {
                return maxSteps;
            }
            if (maxEpochs < Long.MAX_VALUE) {
                return maxEpochs * ((train.batchesPerEpoch() + accumulate - 1) / accumulate);
            }
            return -1;
        }

        /** The time budget in seconds, or infinity. */
        public double budgetSeconds() {
            return budgetSeconds;
        }

        /** Asks the loop to stop at the next step boundary, with {@code reason} as the result's detail. */
        public void requestStop(String reason) {
            if (stopRequest == null) {
                stopRequest = reason;
            }
        }

        /** Writes a full checkpoint (see the class doc) to {@code path}, atomically. */
        public void saveCheckpoint(Path path) {
            try {
                writeCheckpoint(path);
            } catch (IOException e) {
                throw new UncheckedIOException("Fit: cannot write checkpoint " + path + ": " + e.getMessage(), e);
            }
        }
    }

    private static final Gson GSON = new Gson();
    private static final String META_PREFIX = Models.TRAINING_PREFIX;

    private final Module model;
    private final Trainer trainer;
    private final DataLoader<?, B> train;
    private final LossFunction<B> lossFunction;
    private final java.util.function.ToLongFunction<B> examples;
    private final Validation<?> validation;
    private final Supplier<Map<String, Double>> validationMetrics;
    private final LrScheduler schedule;
    private final boolean schedulePerEpoch;
    private final String scheduleMonitor;
    private final long maxEpochs;
    private final long maxSteps;
    private final double budgetSeconds;
    private final int accumulate;
    private final List<Callback> callbacks;
    private final Path checkpointPath;
    private final long checkpointEvery;
    private final Map<String, Vocabulary> checkpointVocabularies;
    private final Supplier<Map<String, String>> checkpointMetadata;
    private final Path resumePath;
    private final boolean stopOnInterrupt;

    private final Context ctx = new Context();
    private final List<Map<String, Double>> history = new ArrayList<>();
    private final List<Double> stepLosses = new ArrayList<>();
    private long epoch;
    private double secondsBefore;
    private long startNanos;

    private record Validation<V>(DataLoader<?, V> loader, LossFunction<V> loss, java.util.function.ToLongFunction<V> weight) {
        double run() {
            double sum = 0;
            long count = 0;
            long startEpoch = loader.epoch();
            // one full pass from the start of an epoch, whatever position a previous pass left
            loader.loadState(Map.of(DataLoader.EPOCH, startEpoch, DataLoader.POSITION, 0L));
            for (V batch : loader) {
                long w = weight.applyAsLong(batch);
                sum += loss.loss(batch).value().item() * w;
                count += w;
            }
            loader.loadState(Map.of(DataLoader.EPOCH, startEpoch, DataLoader.POSITION, 0L));
            return count == 0 ? Double.NaN : sum / count;
        }
    }

    private Fit(Builder<B> b) {
        this.model = b.model;
        this.trainer = new Trainer(b.model, b.optimizer).clipNorm(b.clipNorm);
        this.train = b.train;
        this.lossFunction = b.loss;
        this.examples = b.examples;
        this.validation = b.validation;
        this.validationMetrics = b.validationMetrics;
        this.schedule = b.schedule;
        this.schedulePerEpoch = b.schedulePerEpoch;
        this.scheduleMonitor = b.scheduleMonitor;
        this.maxEpochs = b.maxEpochs;
        this.maxSteps = b.maxSteps;
        this.budgetSeconds = b.budgetSeconds;
        this.accumulate = b.accumulate;
        this.callbacks = List.copyOf(b.callbacks);
        this.checkpointPath = b.checkpointPath;
        this.checkpointEvery = b.checkpointEvery;
        this.checkpointVocabularies = b.checkpointVocabularies;
        this.checkpointMetadata = b.checkpointMetadata;
        this.resumePath = b.resumePath;
        this.stopOnInterrupt = b.stopOnInterrupt;
    }

    /**
     * A builder for training {@code model} with {@code optimizer} (built over the model's parameters) on
     * the batches of {@code train}, minimising {@code loss}.
     */
    public static <B> Builder<B> builder(Module model, Optimizer optimizer, DataLoader<?, B> train, LossFunction<B> loss) {
        return new Builder<>(model, optimizer, train, loss);
    }

    /** Settings of a {@link Fit} run; {@link #run()} builds and runs it. */
    public static final class Builder<B> {
        private final Module model;
        private final Optimizer optimizer;
        private final DataLoader<?, B> train;
        private final LossFunction<B> loss;
        private java.util.function.ToLongFunction<B> examples = b -> 1;
        private Validation<?> validation;
        private Supplier<Map<String, Double>> validationMetrics;
        private LrScheduler schedule;
        private boolean schedulePerEpoch;
        private String scheduleMonitor = "val_loss";
        private long maxEpochs = Long.MAX_VALUE;
        private long maxSteps = Long.MAX_VALUE;
        private double budgetSeconds = Double.POSITIVE_INFINITY;
        private double clipNorm = Double.NaN;
        private int accumulate = 1;
        private final List<Callback> callbacks = new ArrayList<>();
        private Path checkpointPath;
        private long checkpointEvery;
        private Map<String, Vocabulary> checkpointVocabularies = Map.of();
        private Supplier<Map<String, String>> checkpointMetadata = Map::of;
        private Path resumePath;
        private boolean stopOnInterrupt = true;

        private Builder(Module model, Optimizer optimizer, DataLoader<?, B> train, LossFunction<B> loss) {
            if (model == null || optimizer == null || train == null || loss == null) {
                throw new IllegalArgumentException("Fit.builder: model, optimizer, train loader and loss are required");
            }
            this.model = model;
            this.optimizer = optimizer;
            this.train = train;
            this.loss = loss;
        }

        /** Runs at most {@code n} epochs (>= 1). */
        public Builder<B> epochs(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("Fit.epochs: n = " + n + ", expected >= 1");
            }
            this.maxEpochs = n;
            return this;
        }

        /** Runs at most {@code n} optimizer steps in all (>= 1; a resumed run counts the earlier steps). */
        public Builder<B> maxSteps(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("Fit.maxSteps: n = " + n + ", expected >= 1");
            }
            this.maxSteps = n;
            return this;
        }

        /** Stops once training has taken {@code budget} in all (a resumed run counts the earlier time). */
        public Builder<B> timeBudget(Duration budget) {
            if (budget == null || budget.isNegative() || budget.isZero()) {
                throw new IllegalArgumentException("Fit.timeBudget: " + budget + ", expected a positive duration");
            }
            this.budgetSeconds = budget.toNanos() / 1e9;
            return this;
        }

        /** Clips the global L2 norm of the gradients to {@code maxNorm} before each update. */
        public Builder<B> clipGradNorm(double maxNorm) {
            if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("Fit.clipGradNorm: " + maxNorm + ", expected a positive finite norm");
            }
            this.clipNorm = maxNorm;
            return this;
        }

        /**
         * Accumulates the gradients of {@code k} consecutive batches (each weighted {@code 1/k}) per optimizer
         * step; an epoch's last, shorter group still makes a step.
         */
        public Builder<B> accumulate(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("Fit.accumulate: k = " + k + ", expected >= 1");
            }
            this.accumulate = k;
            return this;
        }

        /** How many examples a batch holds (for the progress rate); 1 per batch by default. */
        public Builder<B> examples(java.util.function.ToLongFunction<B> count) {
            this.examples = java.util.Objects.requireNonNull(count, "count");
            return this;
        }

        /**
         * Steps {@code schedule} after every optimizer step ({@code perEpoch} false) or after every epoch; a
         * metric-driven schedule ({@link LrScheduler#usesMetric()}) steps after every epoch with
         * {@code monitor} (e.g. {@code val_loss}).
         */
        public Builder<B> schedule(LrScheduler schedule, boolean perEpoch, String monitor) {
            if (schedule == null) {
                throw new IllegalArgumentException("Fit.schedule: schedule is null");
            }
            if (schedule.optimizer() != optimizer) {
                throw new IllegalArgumentException("Fit.schedule: the schedule drives another optimizer than the one being trained");
            }
            this.schedule = schedule;
            this.schedulePerEpoch = perEpoch || schedule.usesMetric();
            this.scheduleMonitor = monitor == null ? "val_loss" : monitor;
            return this;
        }

        /** {@link #schedule(LrScheduler, boolean, String)} per optimizer step. */
        public Builder<B> schedule(LrScheduler schedule) {
            return schedule(schedule, false, null);
        }

        /**
         * Validates after each epoch: {@code val_loss} is the mean of {@code loss} over the batches of
         * {@code loader}, each weighted by {@code weight} (its number of examples), computed in evaluation
         * mode without a graph.
         */
        public <V> Builder<B> validation(DataLoader<?, V> loader, LossFunction<V> loss, java.util.function.ToLongFunction<V> weight) {
            if (loader == null || loss == null || weight == null) {
                throw new IllegalArgumentException("Fit.validation: loader, loss and weight are required");
            }
            this.validation = new Validation<>(loader, loss, weight);
            return this;
        }

        /**
         * Further validation figures computed after each epoch (in evaluation mode, without a graph), e.g.
         * {@code val_accuracy} or {@code val_bleu}; they join the epoch's logs.
         */
        public Builder<B> validationMetrics(Supplier<Map<String, Double>> metrics) {
            this.validationMetrics = metrics;
            return this;
        }

        /** Adds callbacks, run in order. */
        public Builder<B> callbacks(Callback... more) {
            for (Callback c : more) {
                if (c == null) {
                    throw new IllegalArgumentException("Fit.callbacks: a callback is null");
                }
                callbacks.add(c);
            }
            return this;
        }

        /**
         * Writes a full checkpoint to {@code path} every {@code everySteps} optimizer steps, at the end of the
         * run and when interrupted.
         */
        public Builder<B> checkpoint(Path path, long everySteps) {
            if (path == null || everySteps < 1) {
                throw new IllegalArgumentException("Fit.checkpoint: path " + path + ", everySteps " + everySteps + "; expected a path and >= 1");
            }
            this.checkpointPath = path;
            this.checkpointEvery = everySteps;
            return this;
        }

        /**
         * {@link #checkpoint(Path, long)} whose files also hold {@code vocabularies} and the entries
         * {@code metadata} returns at each save (the caller's own records, such as an evaluation history;
         * keys must not start with {@code fit.}, {@code rnn4j.} or {@code vocab.}). A model that can be
         * rebuilt makes them model files that {@link Models#load} reads, vocabularies included.
         */
        public Builder<B> checkpoint(Path path, long everySteps, Map<String, Vocabulary> vocabularies, Supplier<Map<String, String>> metadata) {
            if (vocabularies == null || metadata == null) {
                throw new IllegalArgumentException("Fit.checkpoint: vocabularies and metadata are required (Map.of() and Map::of for none)");
            }
            checkpoint(path, everySteps);
            this.checkpointVocabularies = Map.copyOf(vocabularies);
            this.checkpointMetadata = metadata;
            return this;
        }

        /** Restores the checkpoint at {@code path} (written by a run with the same settings) before the first step. */
        public Builder<B> resume(Path path) {
            if (path == null) {
                throw new IllegalArgumentException("Fit.resume: path is null");
            }
            this.resumePath = path;
            return this;
        }

        /** Whether Ctrl-C / SIGTERM stops the loop gracefully (saving a checkpoint when configured); on by default. */
        public Builder<B> stopOnInterrupt(boolean on) {
            this.stopOnInterrupt = on;
            return this;
        }

        /** Builds the loop without running it. */
        public Fit<B> build() {
            if (maxEpochs == Long.MAX_VALUE && maxSteps == Long.MAX_VALUE && Double.isInfinite(budgetSeconds)) {
                throw new IllegalArgumentException("Fit: no end set; call epochs(n), maxSteps(n) or timeBudget(d)");
            }
            if (schedule != null && schedule.usesMetric() && validation == null && scheduleMonitor.startsWith("val_")
                    && validationMetrics == null) {
                throw new IllegalArgumentException("Fit.schedule: the metric-driven schedule monitors '" + scheduleMonitor
                        + "' but no validation is configured; add validation(...) or monitor 'loss'");
            }
            return new Fit<>(this);
        }

        /** Builds and runs the loop. */
        public Result run() throws IOException {
            return build().run();
        }
    }

    // ---- the loop ----

    /**
     * Runs the loop (restoring the resume checkpoint first, if any) until an end is reached.
     *
     * @throws IOException when a checkpoint cannot be read or written
     */
    public Result run() throws IOException {
        if (resumePath != null) {
            restore(resumePath);
        }
        startNanos = System.nanoTime();
        model.train();
        StopReason reason = null;
        String detail = null;
        for (Callback c : callbacks) {
            c.onFitStart(ctx);
        }
        try (GracefulStop interrupt = stopOnInterrupt ? new GracefulStop(30) : null) {
            outer:
            while (true) {
                if (epoch >= maxEpochs) {
                    reason = StopReason.EPOCHS;
                    detail = maxEpochs + " epochs";
                    break;
                }
                if (train.position() == 0) {
                    for (Callback c : callbacks) {
                        c.onEpochStart(ctx, epoch);
                    }
                }
                var it = train.iterator();
                while (it.hasNext()) {
                    // one optimizer step over up to `accumulate` batches
                    double stepLoss = 0;
                    int micro = 0;
                    long stepExamples = 0;
                    try {
                        while (micro < accumulate && it.hasNext()) {
                            B batch = it.next();
                            stepExamples += examples.applyAsLong(batch);
                            stepLoss += trainer.accumulate(() -> lossFunction.loss(batch), 1.0 / accumulate);
                            micro++;
                        }
                        trainer.update();
                    } catch (NonFiniteException e) {
                        model.zeroGrad();
                        reason = StopReason.NON_FINITE;
                        detail = e.getMessage();
                        break outer;
                    }
                    double loss = stepLoss / micro;
                    stepLosses.add(loss);
                    if (schedule != null && !schedulePerEpoch) {
                        schedule.step();
                    }
                    for (Callback c : callbacks) {
                        c.onStepEnd(ctx, trainer.steps(), loss, stepExamples);
                    }
                    if (checkpointPath != null && trainer.steps() % checkpointEvery == 0) {
                        writeCheckpoint(checkpointPath);
                    }
                    if (interrupt != null && interrupt.requested()) {
                        reason = StopReason.INTERRUPTED;
                        detail = "interrupted at step " + trainer.steps();
                        break outer;
                    }
                    if (ctx.stopRequest != null) {
                        reason = StopReason.CALLBACK;
                        detail = ctx.stopRequest;
                        break outer;
                    }
                    if (trainer.steps() >= maxSteps) {
                        reason = StopReason.STEPS;
                        detail = maxSteps + " steps";
                        break outer;
                    }
                    if (ctx.seconds() >= budgetSeconds) {
                        reason = StopReason.TIME_BUDGET;
                        detail = String.format(Locale.ROOT, "time budget of %.0f s spent", budgetSeconds);
                        break outer;
                    }
                }
                // the epoch is complete
                // the epoch's steps run from the end of the previous epoch (so a resumed epoch counts its earlier steps)
                int from = history.isEmpty() ? 0 : (int) Math.round(history.get(history.size() - 1).get("step"));
                double sum = 0;
                for (int i = from; i < stepLosses.size(); i++) {
                    sum += stepLosses.get(i);
                }
                Map<String, Double> logs = endOfEpoch(stepLosses.size() == from ? Double.NaN : sum / (stepLosses.size() - from));
                for (Callback c : callbacks) {
                    c.onEpochEnd(ctx, epoch, logs);
                }
                epoch++;
                if (ctx.stopRequest != null) {
                    reason = StopReason.CALLBACK;
                    detail = ctx.stopRequest;
                    break;
                }
            }
            if (checkpointPath != null && reason != StopReason.NON_FINITE) {
                writeCheckpoint(checkpointPath);
            }
            // the callbacks end before a Ctrl-C hook lets the JVM exit, so they can report the saved checkpoint
            Result result = new Result(List.copyOf(history), List.copyOf(stepLosses), trainer.steps(), ctx.seconds(), reason, detail);
            for (Callback c : callbacks) {
                c.onFitEnd(ctx, result);
            }
            if (interrupt != null) {
                interrupt.finished();
            }
            return result;
        }
    }

    private Map<String, Double> endOfEpoch(double trainLoss) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("epoch", (double) epoch);
        logs.put("step", (double) trainer.steps());
        logs.put("loss", trainLoss);
        if (validation != null || validationMetrics != null) {
            model.eval();
            try (Grad.Scope off = Grad.disabled()) {
                if (validation != null) {
                    logs.put("val_loss", validation.run());
                }
                if (validationMetrics != null) {
                    logs.putAll(validationMetrics.get());
                }
            } finally {
                model.train();
            }
        }
        double lr = Double.NaN;
        try {
            lr = trainer.optimizer().lr();
        } catch (UnsupportedOperationException ignored) {
            // an optimizer without a learning rate
        }
        logs.put("lr", lr);
        logs.put("seconds", ctx.seconds());
        if (schedule != null && schedulePerEpoch) {
            if (schedule.usesMetric()) {
                Double m = logs.get(scheduleMonitor);
                if (m == null) {
                    throw new IllegalStateException("Fit: the schedule monitors '" + scheduleMonitor + "' but the epoch's logs hold "
                            + logs.keySet());
                }
                schedule.step(m);
            } else {
                schedule.step();
            }
        }
        history.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs)));
        return logs;
    }

    // ---- checkpoints ----

    private void writeCheckpoint(Path path) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, String> own = checkpointMetadata.get();
        for (Map.Entry<String, String> e : own.entrySet()) {
            if (e.getKey().startsWith(META_PREFIX)) {
                throw new IllegalArgumentException("Fit.checkpoint: metadata key '" + e.getKey() + "' is reserved (" + META_PREFIX + "* is the loop's own)");
            }
            meta.put(e.getKey(), e.getValue());
        }
        Map<String, Tensor> optimizerState = trainer.optimizer().state();
        optimizerState.forEach((k, v) -> tensors.put(META_PREFIX + "optim." + k, HostTensor.of(v)));
        meta.put(META_PREFIX + "optim", String.join(",", optimizerState.keySet())); // what restore must find
        if (schedule != null) {
            schedule.state().forEach((k, v) -> tensors.put(META_PREFIX + "sched." + k, v));
        }
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Stochastic s) {
                meta.put(META_PREFIX + "draws." + e.getKey(), Long.toString(s.drawCount()));
                meta.put(META_PREFIX + "seed." + e.getKey(), Long.toString(s.streamSeed()));
            }
            if (e.getValue() instanceof Stateful s && s.state() != null) {
                List<String> names = s.stateNames();
                List<Tensor> state = s.state();
                for (int i = 0; i < names.size(); i++) {
                    tensors.put(META_PREFIX + "state." + e.getKey() + "." + names.get(i), HostTensor.of(state.get(i)));
                }
            }
        }
        double[] losses = new double[stepLosses.size()];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = stepLosses.get(i);
        }
        tensors.put(META_PREFIX + "step_losses", HostTensor.ofDoubles(losses, losses.length));
        train.state().forEach((k, v) -> meta.put(META_PREFIX + "loader." + k, Long.toString(v)));
        meta.put(META_PREFIX + "step", Long.toString(trainer.steps()));
        meta.put(META_PREFIX + "epoch", Long.toString(epoch));
        meta.put(META_PREFIX + "seconds", Double.toString(ctx.seconds()));
        meta.put(META_PREFIX + "history", GSON.toJson(history));
        if (Models.canSave(model)) {
            Models.save(path, model, checkpointVocabularies, meta, tensors);
        } else {
            model.stateDict().forEach((k, v) -> tensors.put(k, HostTensor.of(v)));
            SafeTensors.write(path, tensors, meta);
        }
    }

    private void restore(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("Fit.resume: no checkpoint at " + path);
        }
        SafeTensorsFile f = SafeTensors.read(path);
        String src = f.source();
        Map<String, String> meta = f.metadata();
        long step = metaLong(meta, "step", src, 0, Long.MAX_VALUE);
        long ep = metaLong(meta, "epoch", src, 0, Long.MAX_VALUE);
        double seconds;
        try {
            seconds = Double.parseDouble(required(meta, "seconds", src));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(src + ": fit.seconds is not a number");
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException(src + ": fit.seconds = " + seconds + ", expected a finite time >= 0");
        }
        List<Map<String, Double>> hist;
        try {
            hist = GSON.fromJson(required(meta, "history", src), new TypeToken<List<Map<String, Double>>>() {
            }.getType());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(src + ": fit.history is not a list of epoch figures: " + e.getMessage(), e);
        }
        Map<String, Long> loader = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(META_PREFIX + "loader.")) {
                loader.put(k.substring((META_PREFIX + "loader.").length()), metaLong(meta, k.substring(META_PREFIX.length()), src,
                        Long.MIN_VALUE, Long.MAX_VALUE));
            }
        });
        Backend backend = model.parameters().values().iterator().next().backend();
        // weights and optimizer / schedule state: everything is converted and validated before assignment
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, Tensor> optim = new LinkedHashMap<>();
        Map<String, HostTensor> sched = new LinkedHashMap<>();
        Map<String, HostTensor> states = new LinkedHashMap<>();
        HostTensor losses = null;
        boolean modelFile = meta.containsKey(Models.FORMAT_KEY);
        for (Map.Entry<String, HostTensor> e : f.tensors().entrySet()) {
            String k = e.getKey();
            if (modelFile && k.startsWith(Models.VOCABULARY_PREFIX)) {
                continue;
            }
            int bad = e.getValue().type().isFloatingPoint() ? e.getValue().firstNonFinite() : -1;
            if (bad >= 0) {
                throw new IllegalArgumentException(src + ": '" + k + "' holds " + e.getValue().asDoubles()[bad] + " at flat index " + bad
                        + "; a checkpoint holds finite values (the run diverged or the file is damaged)");
            }
            if (k.startsWith(META_PREFIX + "optim.")) {
                optim.put(k.substring((META_PREFIX + "optim.").length()), toTensor(e.getValue(), backend));
            } else if (k.startsWith(META_PREFIX + "sched.")) {
                sched.put(k.substring((META_PREFIX + "sched.").length()), e.getValue());
            } else if (k.startsWith(META_PREFIX + "state.")) {
                states.put(k.substring((META_PREFIX + "state.").length()), e.getValue());
            } else if (k.equals(META_PREFIX + "step_losses")) {
                losses = e.getValue();
            } else {
                weights.put(k, toTensor(e.getValue(), backend));
            }
        }
        if (losses == null || losses.rank() != 1 || losses.size() != step) {
            throw new IllegalArgumentException(src + ": fit.step_losses must hold one loss per step (" + step + ")");
        }
        if (schedule == null && !sched.isEmpty() || schedule != null && sched.isEmpty()) {
            throw new IllegalArgumentException(src + ": the checkpoint " + (sched.isEmpty() ? "has no" : "has a") + " schedule state but this run "
                    + (schedule == null ? "has no schedule" : "has one") + "; resume with the same settings");
        }
        model.loadStateDict(weights, true);
        String listed = meta.get(META_PREFIX + "optim");
        if (listed != null) {
            List<String> missing = new ArrayList<>(listed.isEmpty() ? List.of() : List.of(listed.split(",", -1)));
            missing.removeAll(optim.keySet());
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(src + ": the optimizer state lacks " + (missing.size() > 8 ? missing.subList(0, 8) + "..."
                        : missing) + ", which " + META_PREFIX + "optim lists; the checkpoint is damaged");
            }
        }
        trainer.optimizer().loadState(optim);
        if (schedule != null) {
            schedule.loadState(sched);
        }
        train.loadState(loader);
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Stochastic s) {
                s.setDrawCount(metaLong(meta, "draws." + e.getKey(), src, 0, Long.MAX_VALUE));
                s.setStreamSeed(metaLong(meta, "seed." + e.getKey(), src, Long.MIN_VALUE, Long.MAX_VALUE));
            }
            if (e.getValue() instanceof Stateful s) {
                List<Tensor> st = new ArrayList<>();
                for (String n : s.stateNames()) {
                    HostTensor h = states.get(e.getKey() + "." + n);
                    if (h != null) {
                        st.add(toTensor(h, backend));
                    }
                }
                if (!st.isEmpty()) {
                    s.setState(st);
                }
            }
        }
        trainer.setSteps(step);
        epoch = ep;
        secondsBefore = seconds;
        history.clear();
        history.addAll(hist);
        stepLosses.clear();
        for (double d : losses.asDoubles()) {
            stepLosses.add(d);
        }
    }

    private static Tensor toTensor(HostTensor h, Backend backend) {
        DType dtype = h.type() == StoredType.F64 && backend.supports(DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
        return backend.fromDoubles(h.asDoubles(), dtype, h.shape());
    }

    private static String required(Map<String, String> meta, String key, String src) {
        String v = meta.get(META_PREFIX + key);
        if (v == null) {
            throw new IllegalArgumentException(src + " is not a Fit checkpoint: it lacks the metadata entry " + META_PREFIX + key);
        }
        return v;
    }

    private static long metaLong(Map<String, String> meta, String key, String src, long min, long max) {
        String v = required(meta, key, src);
        try {
            long l = Long.parseLong(v);
            if (l < min || l > max) {
                throw new NumberFormatException();
            }
            return l;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(src + ": " + META_PREFIX + key + " = '" + (v.length() > 40 ? v.substring(0, 40) + "..." : v)
                    + "', expected a whole number in [" + min + ", " + max + "]");
        }
    }

    /** A progress bar on {@code err} (a redrawn line on a terminal, plain lines elsewhere) as a callback. */
    public static Callback progressBar(PrintStream err, PrintStream out, String task) {
        return new ProgressBar(err, out, task);
    }
}
