package org.rnn4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.BatchSampler;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.StoredType;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Stochastic;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.optim.schedule.LrScheduler;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.train.Fit;
import org.rnn4j.train.Trainer;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Data-parallel training of any rnn4j model on a Spark cluster. The examples are an RDD, numbered
 * {@code 0..n-1} in partition order and kept in executor memory; the driver draws each step's global
 * batch with a {@link BatchSampler} (the one a single-JVM {@link DataLoader} would use) and each
 * partition works on the examples of the batch it holds, with a replica of the model that
 * {@link ModelFactory} builds once per executor task slot.
 *
 * <p><b>Modes.</b>
 * <ul>
 * <li>{@link Mode#SYNCHRONOUS} (default): each step the driver broadcasts the weights; each partition
 *     returns {@code weight * grad(mean loss of its share)}; the sums are combined with
 *     {@code treeAggregate} in a fixed pairwise order ({@link TreeSum}); the driver divides by the total
 *     weight, which gives the gradient of the mean loss over the global batch, and applies the update
 *     with its optimizer, clipping and schedule ({@link Trainer#update()}). Given the same seed and
 *     batches, the loss curve equals single-JVM training to floating-point round-off.</li>
 * <li>{@link Mode#BARRIER}: the same synchronous algorithm run as one barrier stage of
 *     {@code stepsPerStage} steps: partitions exchange gradients with {@code allGather} each step and
 *     every replica applies the same update with its own optimizer; fewer Spark jobs, but every task
 *     must be running at once and a failure restarts the whole stage.</li>
 * <li>{@link Mode#PARAMETER_AVERAGING}: DL4J's communication-efficient scheme: each replica takes
 *     {@code k} local optimizer steps on its shares of {@code k} global batches, then the driver averages
 *     the replicas' weights and optimizer state (weighted by the examples each saw). This is <i>not</i>
 *     equivalent to single-JVM training (for {@code k = 1} with plain SGD and equal shares it is).</li>
 * </ul>
 *
 * <p><b>Determinism and faults.</b> A task's result is a pure function of the broadcast state, its
 * partition's data and (seed, step, partition): dropout ({@link Stochastic} modules) and
 * {@link StepContext#random()} are seeded by them, and partition results are summed in a fixed order,
 * so a task that Spark retries (after a failure, or on another executor after one is lost, its shard
 * rebuilt from lineage) gives the same bits. Checkpoints ({@link Builder#checkpoint}) are written by the
 * driver in {@link Fit}'s format (weights, optimizer and schedule state, loader position, step, loss
 * history), so {@link Builder#resume} continues a distributed run exactly, and {@code Fit.resume} can
 * continue it on one machine.
 *
 * <p>Not thread-safe; one {@link #fit} at a time. {@link #close()} releases the cached data.
 *
 * @param <M> the model's type
 * @param <T> one example (serializable)
 */
public final class SparkTrainer<M extends Module, T> implements AutoCloseable {

    /** How gradients or weights are combined; see the class documentation. */
    public enum Mode {
        /** Per-step gradient sum with {@code treeAggregate}, update on the driver. */
        SYNCHRONOUS,
        /** Per-step gradient exchange inside a barrier stage of several steps, identical updates on every replica. */
        BARRIER,
        /** Local steps, then parameter (and optimizer state) averaging. */
        PARAMETER_AVERAGING
    }

    /**
     * Where the time of one step (synchronous) or one round (barrier, averaging) went, in seconds.
     *
     * @param firstStep     the first optimizer step it covered (0-based)
     * @param steps         the optimizer steps it covered
     * @param examples      the examples of its global batches
     * @param wall          the driver's wall time, from broadcasting to the updated model
     * @param compute       the longest partition's forward, backward (and local update) time
     * @param fetch         the longest partition's time to get the broadcast state and load it (and, in
     *                      barrier mode, to gather the gradients)
     * @param update        the driver's time to apply the result (optimizer step, or loading the averaged state)
     * @param bytes         payload bytes one partition receives and sends per step (weights or gradients, each way)
     */
    public record Timing(long firstStep, int steps, long examples, double wall, double compute, double fetch, double update, long bytes) {
        /** Everything that is not computing or updating: broadcast, scheduling, result transfer and summation. */
        public double communication() {
            return Math.max(0, wall - compute - update);
        }
    }

    private static final String META = "fit.";

    private final JavaSparkContext jsc;
    private final JavaRDD<Shard<T>> shards;
    private final int partitions;
    private final int size;
    private final Work.Job<M, T> job;
    private final Mode mode;
    private final int treeDepth;
    private final int stepsPerRound;
    private final M model;
    private final Optimizer optimizer;
    private final LrScheduler schedule;
    private final Trainer trainer;
    private final DataLoader<Integer, int[]> loader;
    private final Path checkpointPath;
    private final long checkpointEvery;
    private final List<Double> stepLosses = new ArrayList<>();
    private final List<Timing> timings = new ArrayList<>();
    private Iterator<int[]> epoch;
    private double secondsBefore;

    private SparkTrainer(Builder<M, T> b) throws IOException {
        this.jsc = JavaSparkContext.fromSparkContext(b.data.context());
        this.mode = b.mode;
        this.treeDepth = b.treeDepth;
        this.stepsPerRound = b.stepsPerRound;
        this.model = b.model.create();
        if (model == null) {
            throw new IllegalArgumentException("SparkTrainer: the model factory returned null");
        }
        this.optimizer = b.optimizer.create(model.trainableParameters().values());
        if (optimizer == null) {
            throw new IllegalArgumentException("SparkTrainer: the optimizer factory returned null");
        }
        this.schedule = b.schedule == null ? null : b.schedule.create(optimizer);
        if (schedule != null && (schedule.usesMetric() || schedule.optimizer() != optimizer)) {
            throw new IllegalArgumentException("SparkTrainer.schedule: the schedule must drive the optimizer it is given and step without a metric"
                    + (schedule.usesMetric() ? " (ReduceLROnPlateau needs a validation metric, which distributed training does not compute)" : ""));
        }
        this.trainer = new Trainer(model, optimizer).clipNorm(b.clipNorm);
        ParamLayout layout = ParamLayout.of(model);
        List<String> frozen = new ArrayList<>();
        model.parameters().forEach((k, v) -> {
            if (!v.requiresGrad()) {
                frozen.add(k);
            }
        });
        // number the examples: partition sizes, then each partition as one in-memory shard
        JavaRDD<T> data = b.data;
        List<Long> counts = data.mapPartitions(it -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return Collections.singletonList(n).iterator();
        }).collect();
        long[] starts = new long[counts.size()];
        long total = 0;
        for (int p = 0; p < counts.size(); p++) {
            starts[p] = total;
            total += counts.get(p);
        }
        if (total < 1 || total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("SparkTrainer: the data has " + total + " examples; expected between 1 and 2^31 - 9");
        }
        this.size = (int) total;
        this.partitions = counts.size();
        this.shards = data.mapPartitionsWithIndex((p, it) -> {
            List<T> list = new ArrayList<>();
            it.forEachRemaining(list::add);
            return Collections.singletonList(new Shard<>(p, starts[p], list)).iterator();
        }, true).persist(StorageLevel.MEMORY_ONLY());
        this.job = new Work.Job<>(UUID.randomUUID().toString(), b.model, b.optimizer, b.loss, layout, List.copyOf(frozen), b.seed, partitions,
                b.clipNorm);
        BatchSampler sampler = b.sampler != null ? b.sampler
                : b.shuffleSeed != null ? BatchSampler.shuffled(size, b.batchSize, b.dropLast, b.shuffleSeed)
                : BatchSampler.sequential(size, b.batchSize, b.dropLast);
        if (sampler.datasetSize() != size) {
            throw new IllegalArgumentException("SparkTrainer.sampler: the sampler is for " + sampler.datasetSize() + " examples but the data has "
                    + size);
        }
        this.loader = DataLoader.builder(Dataset.generate(size, i -> i), (List<Integer> l) -> l.stream().mapToInt(Integer::intValue).toArray())
                .sampler(sampler).build();
        this.checkpointPath = b.checkpointPath;
        this.checkpointEvery = b.checkpointEvery;
        if (b.resumePath != null) {
            restore(b.resumePath);
        }
    }

    /**
     * A builder for training the model that {@code model} builds, with the optimizer {@code optimizer}
     * builds, on the examples of {@code data}, minimising {@code loss}.
     */
    public static <M extends Module, T> Builder<M, T> builder(JavaRDD<T> data, ModelFactory<M> model, OptimizerFactory optimizer,
            ReplicaLoss<M, T> loss) {
        return new Builder<>(data, model, optimizer, loss);
    }

    /** Settings of a {@link SparkTrainer}. */
    public static final class Builder<M extends Module, T> {
        private final JavaRDD<T> data;
        private final ModelFactory<M> model;
        private final OptimizerFactory optimizer;
        private final ReplicaLoss<M, T> loss;
        private int batchSize = 32;
        private Long shuffleSeed;
        private boolean dropLast;
        private BatchSampler sampler;
        private long seed;
        private Mode mode = Mode.SYNCHRONOUS;
        private int treeDepth = 2;
        private int stepsPerRound = 1;
        private ScheduleFactory schedule;
        private double clipNorm = Double.NaN;
        private Path checkpointPath;
        private long checkpointEvery;
        private Path resumePath;

        private Builder(JavaRDD<T> data, ModelFactory<M> model, OptimizerFactory optimizer, ReplicaLoss<M, T> loss) {
            if (data == null || model == null || optimizer == null || loss == null) {
                throw new IllegalArgumentException("SparkTrainer.builder: data, model factory, optimizer factory and loss are required; got "
                        + (data == null ? "data null " : "") + (model == null ? "model null " : "") + (optimizer == null ? "optimizer null " : "")
                        + (loss == null ? "loss null" : "").trim());
            }
            this.data = data;
            this.model = model;
            this.optimizer = optimizer;
            this.loss = loss;
        }

        /** Examples per global batch (split among the partitions), {@code >= 1}; default 32. */
        public Builder<M, T> batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("SparkTrainer.batchSize: " + n + ", expected >= 1");
            }
            this.batchSize = n;
            return this;
        }

        /** A new random order of the examples every epoch, from {@code seed} (as {@code DataLoader.Builder.shuffle}). */
        public Builder<M, T> shuffle(long seed) {
            this.shuffleSeed = seed;
            return this;
        }

        /** Whether to leave out each epoch's last, smaller batch. */
        public Builder<M, T> dropLast(boolean on) {
            this.dropLast = on;
            return this;
        }

        /** A sampler of one's own over the examples' global indices (instead of batch size, shuffle and drop-last). */
        public Builder<M, T> sampler(BatchSampler s) {
            if (s == null) {
                throw new IllegalArgumentException("SparkTrainer.sampler: null");
            }
            this.sampler = s;
            return this;
        }

        /** The seed of the per-(step, partition) random streams (dropout, {@link StepContext#random()}); default 0. */
        public Builder<M, T> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** {@link Mode#SYNCHRONOUS} with a {@code treeAggregate} of {@code depth} levels (>= 1; default 2). */
        public Builder<M, T> synchronous(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("SparkTrainer.synchronous: depth = " + depth + ", expected >= 1");
            }
            this.mode = Mode.SYNCHRONOUS;
            this.treeDepth = depth;
            this.stepsPerRound = 1;
            return this;
        }

        /**
         * {@link Mode#BARRIER} with {@code stepsPerStage} steps per barrier stage (>= 1). Needs as many free
         * task slots as the data has partitions.
         */
        public Builder<M, T> barrier(int stepsPerStage) {
            if (stepsPerStage < 1) {
                throw new IllegalArgumentException("SparkTrainer.barrier: stepsPerStage = " + stepsPerStage + ", expected >= 1");
            }
            this.mode = Mode.BARRIER;
            this.stepsPerRound = stepsPerStage;
            return this;
        }

        /** {@link Mode#PARAMETER_AVERAGING}: {@code k} local steps (>= 1) between averagings. */
        public Builder<M, T> parameterAveraging(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("SparkTrainer.parameterAveraging: k = " + k + ", expected >= 1");
            }
            this.mode = Mode.PARAMETER_AVERAGING;
            this.stepsPerRound = k;
            return this;
        }

        /** A learning-rate schedule stepped after every optimizer step (not metric-driven). */
        public Builder<M, T> schedule(ScheduleFactory s) {
            this.schedule = s;
            return this;
        }

        /** Clips the global L2 norm of each step's gradient to {@code maxNorm} (> 0) before the update. */
        public Builder<M, T> clipGradNorm(double maxNorm) {
            if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("SparkTrainer.clipGradNorm: " + maxNorm + ", expected a positive finite norm");
            }
            this.clipNorm = maxNorm;
            return this;
        }

        /**
         * Writes a checkpoint ({@link Fit}'s format) to {@code path} from the driver every {@code everySteps}
         * optimizer steps (at the end of the round that reaches them) and at the end of {@link #fit}.
         */
        public Builder<M, T> checkpoint(Path path, long everySteps) {
            if (path == null || everySteps < 1) {
                throw new IllegalArgumentException("SparkTrainer.checkpoint: path " + path + ", everySteps " + everySteps
                        + "; expected a path and >= 1");
            }
            this.checkpointPath = path;
            this.checkpointEvery = everySteps;
            return this;
        }

        /** Restores the checkpoint at {@code path} (of a run with the same settings) when building. */
        public Builder<M, T> resume(Path path) {
            if (path == null) {
                throw new IllegalArgumentException("SparkTrainer.resume: path is null");
            }
            this.resumePath = path;
            return this;
        }

        /**
         * Builds the trainer: the driver's model, optimizer and schedule, and the data numbered and cached
         * on the executors (runs two Spark jobs); restores the resume checkpoint, if any.
         *
         * @throws IOException when the resume checkpoint cannot be read
         */
        public SparkTrainer<M, T> build() throws IOException {
            return new SparkTrainer<>(this);
        }
    }

    // ---- accessors ----

    /** The driver's model (the master copy the optimizer updates). */
    public M model() {
        return model;
    }

    /** The driver's optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The learning-rate schedule, or null. */
    public LrScheduler schedule() {
        return schedule;
    }

    /** Optimizer steps taken (resumed runs included). */
    public long steps() {
        return trainer.steps();
    }

    /** The mode. */
    public Mode mode() {
        return mode;
    }

    /** The number of partitions (replicas working per step). */
    public int partitions() {
        return partitions;
    }

    /** The number of examples. */
    public int size() {
        return size;
    }

    /** The training loss (mean over the global batch) of every step so far, resumed runs included. */
    public List<Double> stepLosses() {
        return Collections.unmodifiableList(stepLosses);
    }

    /** Where the time of each step or round of this process went. */
    public List<Timing> timings() {
        return Collections.unmodifiableList(timings);
    }

    // ---- training ----

    /**
     * Trains until {@code totalSteps} optimizer steps have been taken in all (a resumed run counts the
     * earlier ones), writing checkpoints as configured.
     *
     * @return the steps' losses and time; the history is empty (no validation)
     * @throws IllegalArgumentException when {@code totalSteps} is below the steps already taken
     * @throws IOException              when a checkpoint cannot be written
     */
    public Fit.Result fit(long totalSteps) throws IOException {
        if (totalSteps < trainer.steps()) {
            throw new IllegalArgumentException("SparkTrainer.fit: totalSteps = " + totalSteps + " but " + trainer.steps()
                    + " steps were already taken");
        }
        long start = System.nanoTime();
        model.train();
        while (trainer.steps() < totalSteps) {
            long before = trainer.steps();
            if (mode == Mode.SYNCHRONOUS) {
                synchronousStep();
            } else {
                round((int) Math.min(stepsPerRound, totalSteps - before));
            }
            secondsBefore += (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            if (checkpointPath != null && trainer.steps() / checkpointEvery > before / checkpointEvery) {
                saveCheckpoint(checkpointPath);
            }
        }
        secondsBefore += (System.nanoTime() - start) / 1e9;
        if (checkpointPath != null) {
            saveCheckpoint(checkpointPath);
        }
        return new Fit.Result(List.of(), List.copyOf(stepLosses), trainer.steps(), secondsBefore, Fit.StopReason.STEPS, totalSteps + " steps");
    }

    private int[] nextBatch() {
        if (epoch == null || !epoch.hasNext()) {
            epoch = loader.iterator();
        }
        return epoch.next();
    }

    private void synchronousStep() {
        long t0 = System.nanoTime();
        long step = trainer.steps();
        int[] batch = nextBatch();
        Flat weights = job.layout().values(model);
        Broadcast<Flat> bw = jsc.broadcast(weights);
        Work.Job<M, T> j = job;
        Contribution total;
        try {
            total = shards.treeAggregate(new TreeSum(partitions), seqOp(j, bw, batch, step), (a, b) -> a.merge(b), treeDepth).result();
        } finally {
            bw.destroy();
        }
        long t1 = System.nanoTime();
        if (total.weight <= 0 || total.sum == null) {
            throw new IllegalStateException("rnn-spark: step " + (step + 1) + ": no partition held an example of the batch");
        }
        job.layout().setGradients(model, total.sum, 1.0 / total.weight);
        trainer.update();
        if (schedule != null) {
            schedule.step();
        }
        stepLosses.add(total.lossSum / total.weight);
        long t2 = System.nanoTime();
        timings.add(new Timing(step, 1, batch.length, (t2 - t0) / 1e9, total.computeNanos / 1e9, total.fetchNanos / 1e9, (t2 - t1) / 1e9,
                weights.bytes()));
    }

    private static <M extends Module, T> Function2<TreeSum, Shard<T>, TreeSum> seqOp(Work.Job<M, T> job, Broadcast<Flat> weights, int[] batch,
            long step) {
        return (acc, shard) -> {
            long t = System.nanoTime();
            return acc.add(shard.partition, Work.step(job, weights.value(), t, shard, batch, step));
        };
    }

    private void round(int k) {
        long t0 = System.nanoTime();
        long first = trainer.steps();
        int[][] batches = new int[k][];
        double[] lrs = new double[k];
        double[] momenta = new double[k];
        long examples = 0;
        // the schedule runs on the driver: record each local step's learning rate (and momentum)
        for (int i = 0; i < k; i++) {
            batches[i] = nextBatch();
            examples += batches[i].length;
            lrs[i] = optimizer.lr();
            momenta[i] = optimizer.hasMomentum() ? optimizer.momentum() : Double.NaN;
            if (schedule != null) {
                schedule.step();
            }
        }
        Backend backend = backend();
        Map<String, Tensor> state = optimizer.state();
        Map<String, Tensor> buffers = new LinkedHashMap<>();
        List<String> counterKeys = new ArrayList<>();
        List<Long> counters = new ArrayList<>();
        state.forEach((key, v) -> {
            if (key.endsWith(".step")) {
                counterKeys.add(key);
                counters.add((long) v.item());
            } else {
                buffers.put(key, v);
            }
        });
        ParamLayout stateLayout = buffers.isEmpty() ? null : ParamLayout.of(buffers);
        Flat weights = job.layout().values(model);
        RoundPlan plan = new RoundPlan(weights, stateLayout, stateLayout == null ? null : stateLayout.flatten(buffers),
                counterKeys.toArray(new String[0]), counters.stream().mapToLong(Long::longValue).toArray(), batches, first, lrs, momenta);
        Broadcast<RoundPlan> bp = jsc.broadcast(plan);
        Work.Job<M, T> j = job;
        boolean barrier = mode == Mode.BARRIER;
        Contribution total;
        try {
            JavaRDD<Contribution> results;
            if (barrier) {
                ClassTag<Contribution> tag = ClassTag$.MODULE$.apply(Contribution.class);
                results = new JavaRDD<>(shards.rdd().barrier().mapPartitions(barrierRound(j, bp), false, tag), tag);
            } else {
                results = shards.map(shard -> {
                    long t = System.nanoTime();
                    return Work.round(j, bp.value(), t, shard, false);
                });
            }
            int n = partitions;
            total = results.treeAggregate(new TreeSum(n), (acc, c) -> acc.add(c.partition, c),
                    (a, b) -> a.merge(b), treeDepth).result();
        } finally {
            bp.destroy();
        }
        long t1 = System.nanoTime();
        if (total.sum == null || !(total.weight > 0)) {
            throw new IllegalStateException("rnn-spark: round at step " + (first + 1) + ": no replica took a step");
        }
        Flat avg = total.sum.scaleInPlace(1.0 / total.weight);
        int n = job.layout().length();
        Flat w = avg.isFloat64() ? Flat.of(avg.slice(0, n)) : Flat.of(avg.sliceFloats(0, n));
        Flat s = avg.isFloat64() ? Flat.of(avg.slice(n, avg.length() - n)) : Flat.of(avg.sliceFloats(n, avg.length() - n));
        Map<String, Tensor> newState = Work.stateOf(total.stateLayout, s, total.counterKeys, total.counters, backend);
        optimizer.loadState(newState);
        job.layout().load(model, w);
        trainer.setSteps(first + k);
        for (int i = 0; i < k; i++) {
            stepLosses.add(total.stepLoss[i] / total.stepWeight[i]);
        }
        long t2 = System.nanoTime();
        timings.add(new Timing(first, k, examples, (t2 - t0) / 1e9, total.computeNanos / 1e9, total.fetchNanos / 1e9, (t2 - t1) / 1e9,
                weights.bytes()));
    }

    private static <M extends Module, T> scala.Function1<scala.collection.Iterator<Shard<T>>, scala.collection.Iterator<Contribution>> barrierRound(
            Work.Job<M, T> job, Broadcast<RoundPlan> plan) {
        return (scala.Function1<scala.collection.Iterator<Shard<T>>, scala.collection.Iterator<Contribution>> & java.io.Serializable) it -> {
            long t = System.nanoTime();
            Shard<T> shard = it.next();
            Contribution c = Work.round(job, plan.value(), t, shard, true);
            return scala.jdk.javaapi.CollectionConverters.asScala(Collections.singletonList(c).iterator());
        };
    }

    private Backend backend() {
        return model.parameters().values().iterator().next().backend();
    }

    // ---- checkpoints (Fit's format) ----

    /**
     * Writes the driver's state to {@code path} atomically in {@link Fit}'s checkpoint format: the weights
     * under their names, {@code fit.optim.*}, {@code fit.sched.*}, {@code fit.step_losses}, and the
     * metadata {@code fit.step}, {@code fit.epoch}, {@code fit.loader.*}, {@code fit.seconds},
     * {@code fit.history}, {@code fit.draws.*}, {@code fit.seed.*} (the driver's dropout streams; the executors'
     * streams come from (seed, step, partition)).
     */
    public void saveCheckpoint(Path path) throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(k, HostTensor.of(v)));
        optimizer.state().forEach((k, v) -> tensors.put(META + "optim." + k, HostTensor.of(v)));
        if (schedule != null) {
            schedule.state().forEach((k, v) -> tensors.put(META + "sched." + k, v));
        }
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Stochastic s) {
                meta.put(META + "draws." + e.getKey(), Long.toString(s.drawCount()));
                meta.put(META + "seed." + e.getKey(), Long.toString(s.streamSeed()));
            }
        }
        double[] losses = stepLosses.stream().mapToDouble(Double::doubleValue).toArray();
        tensors.put(META + "step_losses", HostTensor.ofDoubles(losses, losses.length));
        loader.state().forEach((k, v) -> meta.put(META + "loader." + k, Long.toString(v)));
        meta.put(META + "step", Long.toString(trainer.steps()));
        meta.put(META + "epoch", Long.toString(loader.epoch()));
        meta.put(META + "seconds", Double.toString(secondsBefore));
        meta.put(META + "history", "[]");
        meta.put("rnn-spark.mode", mode.name());
        meta.put("rnn-spark.partitions", Integer.toString(partitions));
        SafeTensors.write(path, tensors, meta);
    }

    private void restore(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("SparkTrainer.resume: no checkpoint at " + path);
        }
        SafeTensorsFile f = SafeTensors.read(path);
        String src = f.source();
        Map<String, String> meta = f.metadata();
        long step = metaLong(meta, "step", src);
        Map<String, Long> loaderState = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(META + "loader.")) {
                loaderState.put(k.substring((META + "loader.").length()), metaLong(meta, k.substring(META.length()), src));
            }
        });
        double seconds;
        try {
            seconds = Double.parseDouble(meta.getOrDefault(META + "seconds", "0"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(src + ": fit.seconds is not a number");
        }
        Backend backend = backend();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        Map<String, Tensor> optim = new LinkedHashMap<>();
        Map<String, HostTensor> sched = new LinkedHashMap<>();
        HostTensor losses = null;
        for (Map.Entry<String, HostTensor> e : f.tensors().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(META + "optim.")) {
                optim.put(k.substring((META + "optim.").length()), toTensor(e.getValue(), backend));
            } else if (k.startsWith(META + "sched.")) {
                sched.put(k.substring((META + "sched.").length()), e.getValue());
            } else if (k.equals(META + "step_losses")) {
                losses = e.getValue();
            } else if (!k.startsWith(META)) {
                weights.put(k, toTensor(e.getValue(), backend));
            }
        }
        if (losses == null || losses.rank() != 1 || losses.size() != step) {
            throw new IllegalArgumentException(src + ": fit.step_losses must hold one loss per step (" + step + ")");
        }
        if ((schedule == null) != sched.isEmpty()) {
            throw new IllegalArgumentException(src + ": the checkpoint " + (sched.isEmpty() ? "has no" : "has a") + " schedule state but this run "
                    + (schedule == null ? "has no schedule" : "has one") + "; resume with the same settings");
        }
        model.loadStateDict(weights, true);
        optimizer.loadState(optim);
        if (schedule != null) {
            schedule.loadState(sched);
        }
        loader.loadState(loaderState);
        epoch = null;
        trainer.setSteps(step);
        secondsBefore = seconds;
        stepLosses.clear();
        for (double d : losses.asDoubles()) {
            stepLosses.add(d);
        }
    }

    private static Tensor toTensor(HostTensor h, Backend backend) {
        DType dtype = h.type() == StoredType.F64 && backend.supports(DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
        return backend.fromDoubles(h.asDoubles(), dtype, h.shape());
    }

    private static long metaLong(Map<String, String> meta, String key, String src) {
        String v = meta.get(META + key);
        if (v == null) {
            throw new IllegalArgumentException(src + " is not a training checkpoint: it lacks the metadata entry " + META + key);
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(src + ": " + META + key + " = '" + v + "', expected a whole number");
        }
    }

    /** A one-line account of the run's timings: steps/s, samples/s and the split of the time. */
    public String timingSummary(int skipFirst) {
        List<Timing> ts = timings.subList(Math.min(skipFirst, timings.size()), timings.size());
        double wall = 0, compute = 0, update = 0, fetch = 0;
        long steps = 0, examples = 0;
        for (Timing t : ts) {
            wall += t.wall();
            compute += t.compute();
            update += t.update();
            fetch += t.fetch();
            steps += t.steps();
            examples += t.examples();
        }
        return String.format(Locale.ROOT, "%s, %d partitions: %.2f steps/s, %.0f samples/s; per step %.1f ms = compute %.1f ms"
                + " + driver update %.1f ms + communication/scheduling %.1f ms (of which weight fetch %.1f ms)", mode, partitions, steps / wall,
                examples / wall, 1e3 * wall / steps, 1e3 * compute / steps, 1e3 * update / steps, 1e3 * (wall - compute - update) / steps,
                1e3 * fetch / steps);
    }

    /** Unpersists the cached data. */
    @Override
    public void close() {
        shards.unpersist(false);
        loader.close();
    }

    @Override
    public String toString() {
        return "SparkTrainer(" + mode + ", " + partitions + " partitions, " + size + " examples, step " + trainer.steps() + ")";
    }
}
