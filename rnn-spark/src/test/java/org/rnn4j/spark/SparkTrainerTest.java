package org.rnn4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.data.BatchSampler;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.spark.Toy.Example;
import org.rnn4j.spark.examples.CharClassifier;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.train.Fit;

/**
 * Data-parallel training in {@code local[2]} against its oracle, single-JVM training with {@link Fit} on
 * the same batches (float64, cpu backend): the loss curves and final weights agree to round-off.
 */
class SparkTrainerTest {
    static final int N = 90;
    static final int BATCH = 16;
    static final long SHUFFLE = 7;
    static final List<Example> DATA = Toy.data(N, 3);

    static JavaRDD<Example> rdd(int partitions) {
        return LocalSpark.context().parallelize(DATA, partitions);
    }

    static void assertClose(List<Double> expected, List<Double> actual, double tol) {
        assertEquals(expected.size(), actual.size(), "number of steps");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i);
            double a = actual.get(i);
            assertEquals(e, a, tol * Math.max(1, Math.abs(e)), "loss of step " + (i + 1) + ": single JVM " + e + ", distributed " + a);
        }
    }

    static double maxWeightDiff(CharClassifier a, CharClassifier b) {
        double max = 0;
        Map<String, Tensor> sb = b.stateDict();
        for (Map.Entry<String, Tensor> e : a.stateDict().entrySet()) {
            double[] x = e.getValue().toDoubleArray();
            double[] y = sb.get(e.getKey()).toDoubleArray();
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs(x[i] - y[i]));
            }
        }
        return max;
    }

    static SparkTrainer.Builder<CharClassifier, Example> builder(int partitions, OptimizerFactory opt) {
        return SparkTrainer.builder(rdd(partitions), Toy.model(DType.FLOAT64, 0.0), opt, Toy.replicaLoss()).batchSize(BATCH).shuffle(SHUFFLE)
                .clipGradNorm(1.0);
    }

    @Test
    void synchronousEqualsSingleJvmTraining() throws Exception {
        CharClassifier[] ref = new CharClassifier[1];
        Fit.Result single = Toy.reference(DATA, BatchSampler.shuffled(N, BATCH, false, SHUFFLE), Toy.adam(), Toy.stepLr(), 12, ref);
        // three partitions (not a power of two: the tree has an odd leaf), an epoch boundary at step 6
        try (SparkTrainer<CharClassifier, Example> t = builder(3, Toy.adam()).schedule(Toy.stepLr()).synchronous(2).build()) {
            Fit.Result dist = t.fit(12);
            assertClose(single.stepLosses(), dist.stepLosses(), 1e-12);
            assertTrue(maxWeightDiff(ref[0], t.model()) < 1e-12, "weights differ by " + maxWeightDiff(ref[0], t.model()));
            assertEquals(12, t.steps());
            assertEquals(12, t.timings().size());
            assertTrue(dist.stepLosses().get(11) < dist.stepLosses().get(0), "the loss falls: " + dist.stepLosses());
            assertEquals(t.optimizer().lr(), 0.02 * Math.pow(0.5, 4), 1e-15, "the schedule ran on the driver");
        }
    }

    @Test
    void barrierModeEqualsSingleJvmTraining() throws Exception {
        CharClassifier[] ref = new CharClassifier[1];
        Fit.Result single = Toy.reference(DATA, BatchSampler.shuffled(N, BATCH, false, SHUFFLE), Toy.adam(), Toy.stepLr(), 7, ref);
        // 7 steps in stages of 3: two full stages and one of a single step
        try (SparkTrainer<CharClassifier, Example> t = builder(2, Toy.adam()).schedule(Toy.stepLr()).barrier(3).build()) {
            Fit.Result dist = t.fit(7);
            assertClose(single.stepLosses(), dist.stepLosses(), 1e-12);
            assertTrue(maxWeightDiff(ref[0], t.model()) < 1e-12, "weights differ by " + maxWeightDiff(ref[0], t.model()));
            assertEquals(3, t.timings().size());
            // the driver's optimizer state came back from the executors: Adam counted 7 steps
            Map<String, Tensor> state = t.optimizer().state();
            assertEquals(7.0, state.get("p0.step").item());
        }
    }

    @Test
    void parameterAveragingWithOneLocalSgdStepEqualsSynchronousTraining() throws Exception {
        // averaging weighted by the examples each replica saw: sum_p n_p (w - lr g_p) / N = w - lr g, exactly SGD on the global batch
        CharClassifier[] ref = new CharClassifier[1];
        Fit.Result single = Toy.reference(DATA, BatchSampler.shuffled(N, BATCH, false, SHUFFLE), Toy.sgd(), null, 6, ref);
        try (SparkTrainer<CharClassifier, Example> t = SparkTrainer.builder(rdd(2), Toy.model(DType.FLOAT64, 0.0), Toy.sgd(), Toy.replicaLoss())
                .batchSize(BATCH).shuffle(SHUFFLE).parameterAveraging(1).build()) {
            // no clipping here: a replica clips its own share's gradient, which is not the global clip
            Fit.Result single2 = referenceWithoutClip(6);
            Fit.Result dist = t.fit(6);
            assertClose(single2.stepLosses(), dist.stepLosses(), 1e-12);
            assertEquals(single.stepLosses().get(0), dist.stepLosses().get(0), 1e-12, "the first step's loss is the initial model's");
        }
    }

    private static Fit.Result referenceWithoutClip(long steps) throws Exception {
        CharClassifier model = Toy.model(DType.FLOAT64, 0.0).create();
        Optimizer opt = Toy.sgd().create(model.trainableParameters().values());
        DataLoader<Example, List<Example>> loader = DataLoader.builder(Dataset.of(DATA)).sampler(BatchSampler.shuffled(N, BATCH, false, SHUFFLE))
                .build();
        return Fit.builder(model, opt, loader, b -> Toy.loss(model, b)).maxSteps(steps).stopOnInterrupt(false).run();
    }

    @Test
    void parameterAveragingWithLocalStepsIsNotSynchronousButLearns() throws Exception {
        try (SparkTrainer<CharClassifier, Example> sync = builder(2, Toy.adam()).build();
                SparkTrainer<CharClassifier, Example> avg = builder(2, Toy.adam()).parameterAveraging(4).build()) {
            List<Double> a = sync.fit(12).stepLosses();
            List<Double> b = avg.fit(12).stepLosses();
            assertEquals(a.get(0), b.get(0), 1e-12, "same start");
            assertNotEquals(a.get(11), b.get(11), "K = 4 local steps is another algorithm");
            assertTrue(b.get(11) < b.get(0), "averaging learns too: " + b);
            assertEquals(3, avg.timings().size(), "one round per 4 steps");
        }
    }

    /** Fails the first attempt of one task; Spark retries it and the run is unchanged to the last bit. */
    @Test
    void retriedTaskGivesTheSameBits() throws Exception {
        ReplicaLoss<CharClassifier, Example> flaky = (model, examples, ctx) -> {
            TaskContext tc = TaskContext.get();
            if (ctx.batch() == 3 && ctx.partition() == 1 && tc != null && tc.attemptNumber() == 0) {
                throw new IllegalStateException("injected failure of batch 3, partition 1, attempt 0");
            }
            return Toy.loss(model, examples);
        };
        // dropout 0.3: the masks come from (seed, step, partition), not from the executor's history
        List<Double> clean;
        Map<String, Tensor> cleanWeights;
        try (SparkTrainer<CharClassifier, Example> t = SparkTrainer.builder(rdd(2), Toy.model(DType.FLOAT64, 0.3), Toy.adam(), Toy.replicaLoss())
                .batchSize(BATCH).shuffle(SHUFFLE).seed(5).build()) {
            clean = t.fit(5).stepLosses();
            cleanWeights = t.model().stateDict();
        }
        try (SparkTrainer<CharClassifier, Example> t = SparkTrainer.builder(rdd(2), Toy.model(DType.FLOAT64, 0.3), Toy.adam(), flaky)
                .batchSize(BATCH).shuffle(SHUFFLE).seed(5).build()) {
            List<Double> retried = t.fit(5).stepLosses();
            assertEquals(clean, retried, "bit-identical loss curve");
            for (Map.Entry<String, Tensor> e : t.model().stateDict().entrySet()) {
                assertArrayEquals(cleanWeights.get(e.getKey()).toDoubleArray(), e.getValue().toDoubleArray(), 0.0, e.getKey());
            }
        }
        // and the dropout streams do matter: another seed gives another curve
        try (SparkTrainer<CharClassifier, Example> t = SparkTrainer.builder(rdd(2), Toy.model(DType.FLOAT64, 0.3), Toy.adam(), Toy.replicaLoss())
                .batchSize(BATCH).shuffle(SHUFFLE).seed(6).build()) {
            assertNotEquals(clean, t.fit(5).stepLosses());
        }
    }

    @Test
    void checkpointResumesTheRunExactlyAndFitCanContinueIt(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run.safetensors");
        List<Double> whole;
        try (SparkTrainer<CharClassifier, Example> t = builder(2, Toy.adam()).schedule(Toy.stepLr()).build()) {
            whole = t.fit(9).stepLosses();
        }
        try (SparkTrainer<CharClassifier, Example> t = builder(2, Toy.adam()).schedule(Toy.stepLr()).checkpoint(ckpt, 5).build()) {
            t.fit(5);
        }
        assertTrue(Files.exists(ckpt));
        try (SparkTrainer<CharClassifier, Example> t = builder(2, Toy.adam()).schedule(Toy.stepLr()).resume(ckpt).build()) {
            assertEquals(5, t.steps());
            assertEquals(whole, t.fit(9).stepLosses(), "the resumed run continues the loss curve bit for bit");
        }
        // the checkpoint is Fit's format: a single JVM continues the distributed run
        CharClassifier model = Toy.model(DType.FLOAT64, 0.0).create();
        Optimizer opt = Toy.adam().create(model.trainableParameters().values());
        DataLoader<Example, List<Example>> loader = DataLoader.builder(Dataset.of(DATA)).sampler(BatchSampler.shuffled(N, BATCH, false, SHUFFLE))
                .build();
        Fit.Result single = Fit.builder(model, opt, loader, b -> Toy.loss(model, b)).schedule(Toy.stepLr().create(opt)).clipGradNorm(1.0)
                .maxSteps(9).resume(ckpt).stopOnInterrupt(false).run();
        assertClose(whole, single.stepLosses(), 1e-12);
    }

    @Test
    void badSettingsAreRejectedNamingTheArgument() {
        assertThrows(IllegalArgumentException.class, () -> SparkTrainer.builder(null, Toy.model(DType.FLOAT64, 0), Toy.adam(), Toy.replicaLoss()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder(2, Toy.adam()).batchSize(0));
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> builder(2, Toy.adam()).parameterAveraging(0));
        assertTrue(e.getMessage().contains("k = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> builder(2, Toy.adam()).sampler(BatchSampler.sequential(N + 1, 4, false)).build());
        assertTrue(e.getMessage().contains("91 examples"), e.getMessage());
    }
}
