package org.rnn4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.data.BatchSampler;
import org.rnn4j.spark.Toy.Example;
import org.rnn4j.spark.examples.CharClassifier;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Fit;

/**
 * A real standalone cluster on loopback: a master and two workers started from the Spark jars as child
 * JVMs ({@code org.apache.spark.deploy.master.Master}, {@code org.apache.spark.deploy.worker.Worker}),
 * each worker running one executor in a JVM of its own. Trains the small model for a few steps and checks
 * it against single-JVM training; then kills one executor in the middle of a run and checks that the run
 * finishes with the same loss curve.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    static final int N = 64;
    static final int BATCH = 16;
    static final long SHUFFLE = 11;
    static final List<Example> DATA = Toy.data(N, 9);

    @TempDir
    static Path dir;
    static LoopbackCluster cluster;
    static JavaSparkContext sc;
    static List<Process> workers;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new LoopbackCluster(dir, 2);
        sc = cluster.sc;
        workers = cluster.workers;
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    static SparkTrainer<CharClassifier, Example> trainer() throws IOException {
        return SparkTrainer.builder(sc.parallelize(DATA, 2), Toy.model(DType.FLOAT64, 0.0), Toy.adam(), Toy.replicaLoss()).batchSize(BATCH)
                .shuffle(SHUFFLE).clipGradNorm(1.0).build();
    }

    static Fit.Result reference(long steps) throws IOException {
        return Toy.reference(DATA, BatchSampler.shuffled(N, BATCH, false, SHUFFLE), Toy.adam(), null, steps, new CharClassifier[1]);
    }

    @Test
    @Order(1)
    void trainingOnTwoExecutorJvmsEqualsSingleJvmTraining() throws Exception {
        try (SparkTrainer<CharClassifier, Example> t = trainer()) {
            List<Double> dist = t.fit(5).stepLosses();
            SparkTrainerTest.assertClose(reference(5).stepLosses(), dist, 1e-12);
        }
    }

    @Test
    @Order(2)
    void anExecutorKilledMidRunDoesNotLoseTheRun() throws Exception {
        try (SparkTrainer<CharClassifier, Example> t = trainer()) {
            // kill one executor JVM while step 3 or 4 is running; its tasks and cached shard are redone elsewhere
            Thread killer = new Thread(() -> {
                try {
                    while (t.steps() < 2) {
                        Thread.sleep(20);
                    }
                    Optional<ProcessHandle> executor = workers.get(0).descendants().filter(h -> h.info().commandLine().orElse("")
                            .contains("CoarseGrainedExecutorBackend")).findFirst();
                    executor.orElseThrow(() -> new IllegalStateException("no executor JVM under worker 0")).destroyForcibly();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.start();
            List<Double> dist = t.fit(8).stepLosses();
            killer.join();
            assertEquals(8, dist.size());
            SparkTrainerTest.assertClose(reference(8).stepLosses(), dist, 1e-12);
            assertTrue(workers.get(0).isAlive(), "the worker outlives its executor");
        }
    }
}
