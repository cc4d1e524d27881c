package org.rnn4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.rnn4j.backend.Backends;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.models.Models;
import org.rnn4j.models.Predictor;

/**
 * Distributed inference as a Spark ML {@link Transformer}: appends to each row the prediction of a
 * self-describing model file ({@code Models.save}) for its input column. Each executor JVM loads the file
 * once ({@code Models.load}, cached by path and backend) and scores each partition in batches of
 * {@code batchSize} rows through a {@link Predictor}; rows whose input is null get a null prediction.
 * What a prediction is comes from a {@link PredictionHook} ({@link PredictionHook#classifier()} by
 * default). Usable as a {@code Pipeline} stage, and from SQL through {@link #udf()}.
 *
 * <p>Where the driver can read the model file, {@link #transform} and {@link #udf()} broadcast its bytes
 * (the executors never touch the path); otherwise each executor reads the path itself (a shared file
 * system, or a file shipped with {@code SparkContext.addFile}, found by its name through {@link SparkFiles}).
 * Loaded models are cached per JVM under the path and a checksum of the bytes, so a changed file is reloaded.
 *
 * <pre>{@code
 * RnnModel names = new RnnModel().setModelPath("names.safetensors").setInputCol("name").setOutputCol("language");
 * Dataset<Row> scored = names.transform(people);          // adds language: struct<label, index, probability, probabilities>
 * spark.udf().register("language_of", names.udf());        // SELECT language_of(name).label FROM people
 * }</pre>
 */
public final class RnnModel extends Transformer {
    private static final long serialVersionUID = 1L;
    private static final Map<String, Predictor<org.rnn4j.nn.Module, Object, Object>> LOADED = new ConcurrentHashMap<>();

    private final String uid;
    private PredictionHook hook = PredictionHook.classifier();

    private final Param<String> modelPath;
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> backend;
    private final IntParam batchSize;

    /** A transformer with a random uid. */
    public RnnModel() {
        this(Identifiable$.MODULE$.randomUID("rnnModel"));
    }

    /** A transformer with {@code uid} (Spark's copy constructor). */
    public RnnModel(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "the self-describing model file (Models.save)");
        inputCol = new Param<>(this, "inputCol", "the input column");
        outputCol = new Param<>(this, "outputCol", "the appended prediction column");
        backend = new Param<>(this, "backend", "the rnn4j backend to score on");
        batchSize = new IntParam(this, "batchSize", "rows per model call (>= 1)", ParamValidators.gtEq(1));
        setDefault(outputCol, "prediction");
        setDefault(backend, "cpu");
        setDefault(batchSize, 256);
    }

    @Override
    public String uid() {
        return uid;
    }

    // Spark finds a stage's params through its public no-argument methods returning a Param

    /** The model file. */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** The input column. */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** The appended prediction column (default {@code prediction}). */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** The backend to score on (default {@code cpu}). */
    public Param<String> backend() {
        return backend;
    }

    /** Rows per model call (default 256). */
    public IntParam batchSize() {
        return batchSize;
    }

    /** Sets the model file. */
    public RnnModel setModelPath(String path) {
        set(modelPath, path);
        return this;
    }

    /** Sets the input column. */
    public RnnModel setInputCol(String col) {
        set(inputCol, col);
        return this;
    }

    /** Sets the prediction column. */
    public RnnModel setOutputCol(String col) {
        set(outputCol, col);
        return this;
    }

    /** Sets the backend. */
    public RnnModel setBackend(String name) {
        set(backend, name);
        return this;
    }

    /** Sets the rows per model call, {@code >= 1}. */
    public RnnModel setBatchSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("RnnModel.setBatchSize: " + n + ", expected >= 1");
        }
        set(batchSize, n);
        return this;
    }

    /** Sets what a prediction is (default {@link PredictionHook#classifier()}). */
    public RnnModel setHook(PredictionHook h) {
        if (h == null) {
            throw new IllegalArgumentException("RnnModel.setHook: null");
        }
        this.hook = h;
        return this;
    }

    /** The prediction hook. */
    public PredictionHook hook() {
        return hook;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(modelPath) || !isDefined(inputCol)) {
            throw new IllegalArgumentException("RnnModel: set the model path and the input column (setModelPath, setInputCol)");
        }
        String in = $(inputCol);
        if (!java.util.Arrays.asList(schema.fieldNames()).contains(in)) {
            throw new IllegalArgumentException("RnnModel: input column '" + in + "' is not in the data; it has " + java.util.Arrays.toString(
                    schema.fieldNames()));
        }
        String out = $(outputCol);
        if (java.util.Arrays.asList(schema.fieldNames()).contains(out)) {
            throw new IllegalArgumentException("RnnModel: output column '" + out + "' already exists; choose another with setOutputCol");
        }
        return schema.add(new StructField(out, hook.outputType(), true, org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema());
        int index = dataset.schema().fieldIndex($(inputCol));
        String path = $(modelPath);
        String backendName = $(backend);
        int batch = (Integer) $(batchSize);
        PredictionHook h = hook;
        Broadcast<byte[]> bytes = shipped(dataset.sparkSession(), path);
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(it -> scorePartition(it, index, path, bytes, backendName, batch, h));
        return dataset.sparkSession().createDataFrame(rows, outSchema);
    }

    /** The model file's bytes broadcast from the driver, or null when the driver cannot read the path. */
    private static Broadcast<byte[]> shipped(SparkSession spark, String path) {
        Path p = Path.of(path);
        if (!Files.isReadable(p)) {
            return null;
        }
        try {
            return JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(Files.readAllBytes(p));
        } catch (IOException e) {
            throw new UncheckedIOException("RnnModel: cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }

    private static Iterator<Row> scorePartition(Iterator<Row> it, int index, String path, Broadcast<byte[]> bytes, String backendName, int batch,
            PredictionHook hook) {
        return new Iterator<>() {
            private final List<Row> ready = new ArrayList<>();
            private int next;

            @Override
            public boolean hasNext() {
                if (next < ready.size()) {
                    return true;
                }
                ready.clear();
                next = 0;
                List<Row> rows = new ArrayList<>(batch);
                while (rows.size() < batch && it.hasNext()) {
                    rows.add(it.next());
                }
                if (rows.isEmpty()) {
                    return false;
                }
                List<Object> inputs = new ArrayList<>();
                for (Row r : rows) {
                    if (!r.isNullAt(index)) {
                        inputs.add(r.get(index));
                    }
                }
                List<Object> outputs = inputs.isEmpty() ? List.of() : predictor(path, bytes, backendName, hook).predict(inputs);
                int k = 0;
                for (Row r : rows) {
                    Object[] values = new Object[r.length() + 1];
                    for (int i = 0; i < r.length(); i++) {
                        values[i] = r.get(i);
                    }
                    values[r.length()] = r.isNullAt(index) ? null : outputs.get(k++);
                    ready.add(RowFactory.create(values));
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return ready.get(next++);
            }
        };
    }

    /**
     * A SQL function of the input value returning the prediction (one row per call, no batching):
     * {@code spark.udf().register("name", model.udf())}.
     */
    public UserDefinedFunction udf() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("RnnModel.udf: set the model path first (setModelPath)");
        }
        String path = $(modelPath);
        String backendName = $(backend);
        PredictionHook h = hook;
        Broadcast<byte[]> bytes = shipped(SparkSession.active(), path);
        UDF1<Object, Object> f = value -> value == null ? null : predictor(path, bytes, backendName, h).predict(value);
        return functions.udf(f, h.outputType());
    }

    /** The JVM's predictor for (file, backend, hook), loading the model file (from {@code bytes} when given) on first use. */
    static Predictor<org.rnn4j.nn.Module, Object, Object> predictor(String path, Broadcast<byte[]> bytes, String backendName, PredictionHook hook) {
        byte[] data = bytes == null ? null : bytes.value();
        String key = path + "\u0000" + (data == null ? "" : checksum(data)) + "\u0000" + backendName + "\u0000" + hook.getClass().getName();
        return LOADED.computeIfAbsent(key, k -> {
            try {
                hook.registerTypes();
                SafeTensorsFile file = data != null ? SafeTensors.read(data, path) : SafeTensors.read(resolve(path));
                Models.Loaded loaded = Models.load(file, Backends.get(backendName));
                return new Predictor<>(loaded.model(), Integer.MAX_VALUE, (m, inputs) -> hook.predict(loaded, inputs));
            } catch (IOException e) {
                throw new UncheckedIOException("RnnModel: cannot read model file " + path + ": " + e.getMessage(), e);
            }
        });
    }

    private static String checksum(byte[] data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        return data.length + ":" + Long.toHexString(crc.getValue());
    }

    private static Path resolve(String path) {
        Path p = Path.of(path);
        if (Files.isReadable(p)) {
            return p;
        }
        Path shipped;
        try {
            shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
        } catch (RuntimeException e) {
            shipped = null;
        }
        if (shipped != null && Files.isReadable(shipped)) {
            return shipped;
        }
        throw new IllegalArgumentException("RnnModel: model file " + path + " is not readable on this executor, nor shipped with "
                + "SparkContext.addFile; put it on a shared file system or add it with addFile");
    }

    @Override
    public RnnModel copy(ParamMap extra) {
        RnnModel c = defaultCopy(extra);
        c.hook = hook;
        return c;
    }

    /** Forgets the models this JVM loaded (they are reloaded on next use). */
    public static void clearCache() {
        LOADED.clear();
    }
}
