package org.rnn4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** One small local Spark for all tests of the module: two task threads, three attempts per task, no UI. */
public final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    /** The shared session ({@code local[2,3]}), created on first use and stopped when the JVM exits. */
    public static synchronized SparkSession session() {
        if (session == null) {
            SparkConf conf = new SparkConf().setMaster("local[2,3]").setAppName("rnn-spark-tests").set("spark.ui.enabled", "false")
                    .set("spark.sql.shuffle.partitions", "2").set("spark.default.parallelism", "2").set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1").set("spark.sql.adaptive.enabled", "false");
            session = SparkSession.builder().config(conf).getOrCreate();
            SparkSession s = session;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        }
        return session;
    }

    /** Stops the shared session (a JVM holds one SparkContext at a time); the next {@link #session()} starts a new one. */
    public static synchronized void release() {
        if (session != null) {
            session.stop();
            session = null;
        }
    }

    /** The shared context. */
    public static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }
}
