package org.rnn4j.spark.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.data.Splits;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.loss.Losses;
import org.rnn4j.models.Models;
import org.rnn4j.optim.Adam;
import org.rnn4j.spark.ModelFactory;
import org.rnn4j.spark.OptimizerFactory;
import org.rnn4j.spark.ReplicaLoss;
import org.rnn4j.spark.RnnModel;
import org.rnn4j.spark.SparkTrainer;
import org.rnn4j.spark.examples.NamesData.Name;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Fit;

/**
 * Trains the surname classifier (a bidirectional GRU over characters) data parallel on a Spark cluster,
 * saves it as a model file and scores the whole names data set with {@link RnnModel}:
 * <pre>
 * spark-submit --class org.rnn4j.spark.examples.NamesDataParallel rnn-spark/target/rnn-spark.jar [options]
 * </pre>
 * Options: {@code --steps N} (600), {@code --batch N} (64, the global batch), {@code --mode sync|barrier|avg}
 * (sync), {@code --k N} (steps per barrier stage or per averaging round, 10), {@code --partitions N} (the
 * default parallelism), {@code --hidden N} (64), {@code --out DIR} (rnn4j-output). Without a master it
 * runs in {@code local[2]}.
 */
public final class NamesDataParallel {

    /** The run's settings. */
    public record Settings(int steps, int batch, String mode, int k, int partitions, int hidden, Path out, boolean score) {
        static Settings parse(String[] args) {
            int steps = 600, batch = 64, k = 10, partitions = 0, hidden = 64;
            String mode = "sync";
            Path out = Path.of("rnn4j-output");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--steps" -> steps = Integer.parseInt(v);
                    case "--batch" -> batch = Integer.parseInt(v);
                    case "--mode" -> mode = v;
                    case "--k" -> k = Integer.parseInt(v);
                    case "--partitions" -> partitions = Integer.parseInt(v);
                    case "--hidden" -> hidden = Integer.parseInt(v);
                    case "--out" -> out = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + "; expected --steps, --batch, --mode sync|barrier|avg, --k, --partitions, --hidden, --out");
                }
            }
            if (!List.of("sync", "barrier", "avg").contains(mode)) {
                throw new IllegalArgumentException("--mode " + mode + ": expected sync, barrier or avg");
            }
            return new Settings(steps, batch, mode, k, partitions, hidden, out, true);
        }
    }

    /** What a run reports. */
    public record Report(Fit.Result result, double testAccuracy, double allAccuracy, long scored, double scoreSeconds, String timing,
            List<SparkTrainer.Timing> timings, int partitions, Path model) {
    }

    private NamesDataParallel() {
    }

    /** Runs the example; see the class documentation. */
    public static void main(String[] args) throws IOException {
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("NamesDataParallel: " + e.getMessage());
            System.exit(2);
            return;
        }
        SparkConf conf = new SparkConf().setAppName("rnn4j names, data parallel").setIfMissing("spark.master", "local[2]")
                .setIfMissing("spark.ui.enabled", "false").setIfMissing("spark.sql.shuffle.partitions", "4");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            Report r = run(spark, s, System.out);
            System.out.printf(Locale.ROOT, "test accuracy: %.3f%n", r.testAccuracy());
        } finally {
            spark.stop();
        }
    }

    /** Trains, saves and scores; prints progress to {@code log}. */
    public static Report run(SparkSession spark, Settings s, java.io.PrintStream log) throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<String[]> raw = NamesData.load();
        List<String> names = new ArrayList<>();
        for (String[] r : raw) {
            names.add(r[0]);
        }
        Vocabulary vocab = Vocabulary.characters().pad().unk().build(names);
        int[] labels = new int[raw.size()];
        List<Name> all = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            labels[i] = NamesData.LANGUAGES.indexOf(raw.get(i)[1]);
            all.add(new Name(raw.get(i)[0], labels[i], vocab.encode(raw.get(i)[0])));
        }
        List<int[]> split = Splits.stratified(labels, NamesData.LANGUAGES.size(), 1234, 0.9, 0.1);
        List<Name> train = new ArrayList<>();
        for (int i : split.get(0)) {
            train.add(all.get(i));
        }
        java.util.Set<String> testNames = new java.util.HashSet<>();
        for (int i : split.get(1)) {
            testNames.add(all.get(i).name() + "\u0000" + all.get(i).label());
        }
        int partitions = s.partitions() > 0 ? s.partitions() : sc.defaultParallelism();
        int vocabSize = vocab.size();
        int hidden = s.hidden();
        ModelFactory<CharClassifier> model = () -> new CharClassifier(vocabSize, 32, hidden, NamesData.LANGUAGES.size(), true, 0.1,
                Backends.get("cpu"), DType.FLOAT32, 7);
        OptimizerFactory adam = params -> Adam.builder(params).lr(3e-3).build();
        ReplicaLoss<CharClassifier, Name> loss = NamesDataParallel::loss;
        SparkTrainer.Builder<CharClassifier, Name> b = SparkTrainer.builder(sc.parallelize(train, partitions), model, adam, loss)
                .batchSize(s.batch()).shuffle(42).seed(9).clipGradNorm(5.0);
        switch (s.mode()) {
            case "barrier" -> b.barrier(s.k());
            case "avg" -> b.parameterAveraging(s.k());
            default -> b.synchronous(2);
        }
        Files.createDirectories(s.out());
        Path ckpt = s.out().resolve("names-spark-checkpoint.safetensors");
        b.checkpoint(ckpt, 200);
        Fit.Result result;
        String timing;
        List<SparkTrainer.Timing> timings;
        Path file = s.out().resolve("names-spark.safetensors");
        try (SparkTrainer<CharClassifier, Name> trainer = b.build()) {
            log.printf(Locale.ROOT, "training %s on %d names in %d partitions, global batch %d, %d steps (%s)%n", model.create().getClass()
                    .getSimpleName(), train.size(), partitions, s.batch(), s.steps(), trainer.mode());
            result = trainer.fit(s.steps());
            List<Double> l = result.stepLosses();
            int w = Math.min(20, l.size());
            log.printf(Locale.ROOT, "loss: first %.3f, mean of the last %d steps %.3f%n", l.get(0), w,
                    l.subList(l.size() - w, l.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
            timing = trainer.timingSummary(Math.min(2, trainer.timings().size() - 1));
            timings = trainer.timings();
            log.println(timing);
            Models.save(file, trainer.model(), Map.of("tokens", vocab), Map.of("labels", String.join("\n", NamesData.LANGUAGES)));
        }
        if (!s.score()) {
            return new Report(result, Double.NaN, Double.NaN, 0, Double.NaN, timing, timings, partitions, file);
        }
        // score the whole data set with the saved model file (the transformer broadcasts it to the executors)
        List<Row> rows = new ArrayList<>();
        for (Name n : all) {
            rows.add(RowFactory.create(n.name(), NamesData.LANGUAGES.get(n.label())));
        }
        StructType schema = new StructType().add("name", DataTypes.StringType).add("language", DataTypes.StringType);
        Dataset<Row> people = spark.createDataFrame(rows, schema).repartition(partitions);
        long t0 = System.nanoTime();
        RnnModel scorer = new RnnModel().setModelPath(file.toAbsolutePath().toString()).setInputCol("name").setOutputCol("predicted");
        List<Row> scored = scorer.transform(people).select("name", "language", "predicted.label").collectAsList();
        double scoreSeconds = (System.nanoTime() - t0) / 1e9;
        long right = 0, testRight = 0, testCount = 0;
        for (Row r : scored) {
            boolean ok = r.getString(1).equals(r.getString(2));
            right += ok ? 1 : 0;
            if (testNames.contains(r.getString(0) + "\u0000" + NamesData.LANGUAGES.indexOf(r.getString(1)))) {
                testCount++;
                testRight += ok ? 1 : 0;
            }
        }
        double allAcc = (double) right / scored.size();
        double testAcc = (double) testRight / testCount;
        log.printf(Locale.ROOT, "scored %d names in %.1f s (%.0f names/s); accuracy on all names %.3f, on the held-out 10%% %.3f%n", scored.size(),
                scoreSeconds, scored.size() / scoreSeconds, allAcc, testAcc);
        return new Report(result, testAcc, allAcc, scored.size(), scoreSeconds, timing, timings, partitions, file);
    }

    /** The mean cross-entropy of a share of names. */
    static Var loss(CharClassifier model, List<Name> names, org.rnn4j.spark.StepContext ctx) {
        List<int[]> ids = new ArrayList<>(names.size());
        int[] labels = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            ids.add(names.get(i).ids());
            labels[i] = names.get(i).label();
        }
        return Losses.crossEntropy(model.forward(ids), labels);
    }
}
