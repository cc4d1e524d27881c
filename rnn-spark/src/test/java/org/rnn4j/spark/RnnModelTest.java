package org.rnn4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.backend.Backends;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.models.Models;
import org.rnn4j.spark.examples.CharClassifier;
import org.rnn4j.tensor.DType;

/** {@link RnnModel} against the same model run directly on the driver, one name at a time. */
class RnnModelTest {
    static final List<String> NAMES = List.of("Nakamura", "O'Neill", "Dostoevsky", "Li", "Schmidt", "Rossi", "Zz", "Müller", "Abe", "Nguyen",
            "García", "Smith", "Kowalski");
    static final String[] LABELS = {"first", "second", "third", "fourth"};
    @TempDir
    static Path dir;
    static Path file;
    static CharClassifier model;
    static Vocabulary vocab;

    @BeforeAll
    static void saveModel() throws Exception {
        vocab = Vocabulary.characters().pad().unk().build(List.of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'"));
        model = new CharClassifier(vocab.size(), 8, 10, LABELS.length, true, 0.2, Backends.get("cpu"), DType.FLOAT32, 11);
        file = dir.resolve("names.safetensors");
        Models.save(file, model, Map.of("tokens", vocab), Map.of("labels", String.join("\n", LABELS)));
        model.eval(); // the oracle runs without dropout, as the transformer does
    }

    static Dataset<Row> people(SparkSession spark) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            rows.add(RowFactory.create(i, NAMES.get(i)));
        }
        rows.add(RowFactory.create(99, null));
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType);
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    /** The oracle: softmax of the model's logits for one name, on the driver. */
    static double[] direct(String name) {
        try (Grad.Scope off = Grad.disabled()) {
            model.eval();
            return F.softmax(model.forward(List.of(vocab.encode(name)))).value().toDoubleArray();
        }
    }

    @Test
    void transformerAppendsClassAndProbabilitiesBatchedPerPartition() {
        SparkSession spark = LocalSpark.session();
        RnnModel scorer = new RnnModel().setModelPath(file.toString()).setInputCol("name").setOutputCol("language").setBatchSize(4);
        Dataset<Row> out = scorer.transform(people(spark));
        assertEquals(List.of("id", "name", "language"), Arrays.asList(out.columns()));
        List<Row> rows = out.collectAsList();
        assertEquals(NAMES.size() + 1, rows.size());
        for (Row r : rows) {
            if (r.getInt(0) == 99) {
                assertNull(r.get(2), "a null name gets a null prediction");
                continue;
            }
            double[] expected = direct(r.getString(1));
            Row p = r.getStruct(2);
            List<Double> probs = p.getList(3);
            int best = 0;
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], probs.get(k), 1e-6, r.getString(1) + " class " + k);
                best = expected[k] > expected[best] ? k : best;
            }
            assertEquals(LABELS[best], p.getString(0));
            assertEquals(best, p.getInt(1));
            assertEquals(expected[best], p.getDouble(2), 1e-6);
        }
    }

    @Test
    void worksAsAPipelineStageAndAsASqlFunction() {
        SparkSession spark = LocalSpark.session();
        RnnModel scorer = new RnnModel().setModelPath(file.toString()).setInputCol("name");
        Dataset<Row> df = people(spark);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {scorer});
        Map<String, String> byPipeline = new LinkedHashMap<>();
        for (Row r : pipeline.fit(df).transform(df).collectAsList()) {
            if (!r.isNullAt(1)) {
                byPipeline.put(r.getString(1), r.getStruct(2).getString(0));
            }
        }
        assertEquals(NAMES.size(), byPipeline.size());
        spark.udf().register("language_of", scorer.udf());
        df.createOrReplaceTempView("people");
        List<Row> sql = spark.sql("SELECT name, language_of(name).label FROM people WHERE name IS NOT NULL").collectAsList();
        assertEquals(NAMES.size(), sql.size());
        for (Row r : sql) {
            assertEquals(byPipeline.get(r.getString(0)), r.getString(1), r.getString(0));
        }
    }

    @Test
    void aHookOfOneOwnScoresOtherKinds() {
        PredictionHook lengthAndLogit = new LengthAndLogit();
        RnnModel scorer = new RnnModel().setModelPath(file.toString()).setInputCol("name").setOutputCol("info").setHook(lengthAndLogit);
        for (Row r : scorer.transform(people(LocalSpark.session())).collectAsList()) {
            if (!r.isNullAt(1)) {
                assertEquals(r.getString(1).length(), r.getStruct(2).getInt(0));
                double[] logits = null;
                try (Grad.Scope off = Grad.disabled()) {
                    logits = model.forward(List.of(vocab.encode(r.getString(1)))).value().toDoubleArray();
                }
                assertEquals(Arrays.stream(logits).max().orElseThrow(), r.getStruct(2).getDouble(1), 1e-6);
            }
        }
    }

    /** A generic hook: the number of tokens the model's vocabulary makes of the input, and the top logit. */
    static final class LengthAndLogit implements PredictionHook {
        @Override
        public DataType outputType() {
            return new StructType().add("tokens", DataTypes.IntegerType).add("top", DataTypes.DoubleType);
        }

        @Override
        public void registerTypes() {
            CharClassifier.register();
        }

        @Override
        public List<Object> predict(Models.Loaded loaded, List<Object> inputs) {
            List<Object> out = new ArrayList<>();
            for (Object o : inputs) {
                int[] ids = loaded.vocabulary("tokens").encode(o.toString());
                double[] logits = ((CharClassifier) loaded.model()).forward(List.of(ids)).value().toDoubleArray();
                out.add(RowFactory.create(ids.length, Arrays.stream(logits).max().orElseThrow()));
            }
            return out;
        }
    }

    @Test
    void badColumnsAreNamed() {
        Dataset<Row> df = people(LocalSpark.session());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RnnModel().setModelPath(file.toString()).setInputCol("surname").transform(df));
        assertTrue(e.getMessage().contains("'surname'") && e.getMessage().contains("name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RnnModel().setModelPath(file.toString()).setInputCol("name").setOutputCol("id").transform(df));
        assertTrue(e.getMessage().contains("'id' already exists"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RnnModel().setInputCol("name").transform(df));
        assertTrue(e.getMessage().contains("setModelPath"), e.getMessage());
    }
}
