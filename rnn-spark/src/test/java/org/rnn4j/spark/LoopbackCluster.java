package org.rnn4j.spark;

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
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A Spark standalone cluster on 127.0.0.1 started from the Spark jars of the test class path: a master and
 * {@code n} workers as child JVMs ({@code org.apache.spark.deploy.master.Master},
 * {@code org.apache.spark.deploy.worker.Worker}), one core each, and a driver in this JVM whose executors
 * (one per worker, each a JVM of its own) get the class folders of this build on their class path.
 * Logs go to files in the given folder.
 */
final class LoopbackCluster implements AutoCloseable {
    final SparkSession spark;
    final JavaSparkContext sc;
    final List<Process> workers = new ArrayList<>();
    private final List<Process> daemons = new ArrayList<>();
    private final Path dir;

    LoopbackCluster(Path dir, int workerCount) throws Exception {
        this.dir = dir;
        LocalSpark.release(); // one SparkContext per JVM: this driver talks to the cluster
        try {
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
                    Path link = jars.resolve(p.getFileName());
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
            for (int w = 0; w < workerCount; w++) {
                workers.add(daemon(home, classPath, "worker" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                        "--memory", "768m", "--webui-port", Integer.toString(freePort()), "--work-dir",
                        Files.createDirectories(dir.resolve("work" + w)).toString(), url));
            }
            String opens = System.getProperty("spark.java.opens", "");
            SparkConf conf = new SparkConf().setMaster(url).setAppName("rnn-spark-loopback").set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1").set("spark.executor.memory", "512m")
                    .set("spark.executor.cores", "1").set("spark.cores.max", Integer.toString(workerCount)).set("spark.task.maxFailures", "4")
                    .set("spark.executor.extraClassPath", String.join(File.pathSeparator, folders))
                    .set("spark.executor.extraJavaOptions", opens + " -XX:+UseSerialGC")
                    .set("spark.default.parallelism", Integer.toString(workerCount)).set("spark.sql.shuffle.partitions", Integer.toString(workerCount));
            spark = SparkSession.builder().config(conf).getOrCreate();
            sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (sc.sc().statusTracker().getExecutorInfos().length < workerCount + 1) { // the driver and the executors
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the executors did not register within 180 s; see the logs under " + dir);
                }
                Thread.sleep(250);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        SparkSession s = SparkSession.getActiveSession().isDefined() ? SparkSession.getActiveSession().get() : null;
        if (s != null) {
            s.stop();
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

    private Process daemon(Path home, String classPath, String name, String mainClass, String... args) throws IOException {
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private void waitForPort(int port, Process p, String name) throws Exception {
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
}
