package org.rnn4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
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
    static final List<Process> daemons = new ArrayList<>();
    static final List<Process> workers = new ArrayList<>();
    static JavaSparkContext sc;

    @BeforeAll
    static void startCluster() throws Exception {
        LocalSpark.release(); // one SparkContext per JVM: this test's driver talks to the cluster
        // a SPARK_HOME whose jars/ holds this test's class path (Spark and its dependencies); class folders go on extraClassPath
        Path home = dir.resolve("spark-home");
        Path jars = Files.createDirectories(home.resolve("jars"));
        List<String> folders = new ArrayList<>();
        // surefire runs tests from a manifest-only jar; the real class path is in surefire.test.class.path
        String testClassPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : testClassPath.split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath();
            if (Files.isDirectory(p)) {
                folders.add(p.toString());
            } else if (entry.endsWith(".jar") && Files.exists(p)) {
                Path link = jars.resolve(jars.getNameCount() + "-" + p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        String classPath = jars + File.separator + "*" + File.pathSeparator + String.join(File.pathSeparator, folders);
        int masterPort = freePort();
        Process master = daemon(home, classPath, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(masterPort), "--webui-port", Integer.toString(freePort()));
        waitForPort(masterPort, master, "master");
        String url = "spark://127.0.0.1:" + masterPort;
        for (int w = 0; w < 2; w++) {
            workers.add(daemon(home, classPath, "worker" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                    "--memory", "768m", "--webui-port", Integer.toString(freePort()), "--work-dir", Files.createDirectories(dir.resolve("work" + w))
                            .toString(), url));
        }
        String opens = System.getProperty("spark.java.opens", "");
        SparkConf conf = new SparkConf().setMaster(url).setAppName("rnn-spark-cluster-test").set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1").set("spark.executor.memory", "512m")
                .set("spark.executor.cores", "1").set("spark.cores.max", "2").set("spark.task.maxFailures", "4")
                .set("spark.executor.extraClassPath", String.join(File.pathSeparator, folders))
                .set("spark.executor.extraJavaOptions", opens + " -XX:+UseSerialGC")
                .set("spark.default.parallelism", "2").set("spark.sql.shuffle.partitions", "2");
        sc = new JavaSparkContext(conf);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (sc.sc().statusTracker().getExecutorInfos().length < 3) { // the driver and two executors
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the two executors did not register within 150 s; see the logs under " + dir);
            }
            Thread.sleep(250);
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (sc != null) {
            sc.stop();
        }
        for (int i = daemons.size() - 1; i >= 0; i--) {
            Process p = daemons.get(i);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    static Process daemon(Path home, String classPath, String name, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1"); // the daemons only schedule: quick start, little JIT work
        for (String o : System.getProperty("spark.java.opens", "").split(" ")) {
            if (!o.isBlank()) {
                cmd.add(o);
            }
        }
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        daemons.add(p);
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static void waitForPort(int port, Process p, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited: " + Files.readString(dir.resolve(name + ".log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException(name + " did not listen on port " + port + " within 120 s");
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
