package org.rnn4j.models;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.SafeTensorsIndex;
import org.rnn4j.nn.CellModule;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.ClassicCharRnn;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.GRUCell;
import org.rnn4j.nn.LSTMCell;
import org.rnn4j.nn.LayerNorm;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.LogSoftmax;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.RNNCell;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.nn.Sequential;
import org.rnn4j.nn.attention.AdditiveAttention;
import org.rnn4j.nn.attention.MultiheadAttention;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Self-describing model files: one safetensors file holding a module tree's weights (under their
 * dotted names), its architecture (a JSON tree of {@link Module#typeName()} and {@link Module#config()}
 * in the metadata entry {@value #ARCHITECTURE_KEY}), its vocabularies and free-form metadata, so that
 * {@link #load(Path, Backend)} rebuilds the model in a fresh JVM with none of the code that built it.
 *
 * <p>Built-in modules ({@code Linear}, {@code Embedding}, {@code Dropout}, {@code LogSoftmax},
 * {@code Sequential}, {@code Recurrent}, {@code LSTMCell}, {@code GRUCell}, {@code RNNCell},
 * {@code CellModule}, {@code ClassicCharRnn}, {@code LayerNorm}, {@code AdditiveAttention},
 * {@code MultiheadAttention}) rebuild out of the box; a user module overrides
 * {@link Module#config()} and registers a {@link ModuleFactory} under its type name, and a user cell
 * registers with {@link #registerCell(String, java.util.function.Supplier)}.
 *
 * <p>Loading is defensive: the architecture is parsed with bounded nesting, every module's parameters
 * are counted against the weights the file holds before they are allocated, and the weights must
 * match the rebuilt parameters exactly (names, shapes, dtypes), so a damaged or hostile file ends in
 * a {@link ModelFormatException} naming the problem, never in an unbounded allocation.
 */
public final class Models {
    /** Metadata key of the format marker. */
    public static final String FORMAT_KEY = "rnn4j.format";
    /** The format marker's value. */
    public static final String FORMAT = "rnn4j-model/1";
    /** Metadata key of the architecture JSON. */
    public static final String ARCHITECTURE_KEY = "rnn4j.architecture";
    /** Metadata key listing the vocabularies' names, comma-separated. */
    public static final String VOCABULARIES_KEY = "rnn4j.vocabularies";
    /** Prefix of the tensor and metadata entries of the vocabularies. */
    public static final String VOCABULARY_PREFIX = "vocab.";
    /**
     * Prefix of the tensors and metadata entries that hold a training run's state ({@code Fit}'s
     * checkpoints of a model that can be rebuilt are model files too): they are not weights, and
     * {@link #load} neither reads nor checks them.
     */
    public static final String TRAINING_PREFIX = "fit.";
    /** Deepest module tree a file may describe. */
    public static final int MAX_DEPTH = 64;
    /** Most modules a file may describe. */
    public static final int MAX_MODULES = 100_000;

    private static final Map<String, ModuleFactory> FACTORIES = new ConcurrentHashMap<>();
    private static final Map<String, java.util.function.Supplier<Cell>> CELLS = new ConcurrentHashMap<>();

    static {
        FACTORIES.put("Linear", (s, b, d) -> {
            int in = s.getInt("in_features", 1, Integer.MAX_VALUE);
            int out = s.getInt("out_features", 1, Integer.MAX_VALUE);
            boolean bias = s.getBoolean("bias");
            s.reserve((long) in * out + (bias ? out : 0));
            return new Linear(in, out, bias, b, d, 0);
        });
        FACTORIES.put("Embedding", (s, b, d) -> {
            int n = s.getInt("num_embeddings", 1, Integer.MAX_VALUE);
            int e = s.getInt("embedding_dim", 1, Integer.MAX_VALUE);
            s.reserve((long) n * e);
            return new Embedding(n, e, s.getInt("padding_idx", -1, n - 1), b, d, new java.util.SplittableRandom(0));
        });
        FACTORIES.put("Dropout", (s, b, d) -> new Dropout(s.getDouble("p", 0, 1), s.getLong("seed", Long.MIN_VALUE, Long.MAX_VALUE)));
        FACTORIES.put("LogSoftmax", (s, b, d) -> new LogSoftmax());
        FACTORIES.put("Sequential", (s, b, d) -> {
            Sequential q = new Sequential();
            s.children().forEach(q::add);
            return q;
        });
        FACTORIES.put("Recurrent", (s, b, d) -> {
            int h = s.getInt("hidden_size", 1, Integer.MAX_VALUE);
            int proj = s.config().containsKey("proj_size") ? s.getInt("proj_size", 1, h - 1) : 0;
            Cell cell = proj > 0 ? Cells.lstm(proj) : cell(s);
            int in = s.getInt("input_size", 1, Integer.MAX_VALUE);
            int layers = s.getInt("num_layers", 1, 1 << 16);
            boolean bidi = s.getBoolean("bidirectional");
            boolean bias = s.getBoolean("bias");
            int dirs = bidi ? 2 : 1;
            long gh = (long) cell.gates() * h;
            long out = proj > 0 ? proj : h;
            long count = 0;
            for (int l = 0; l < layers; l++) {
                long inl = l == 0 ? in : out * dirs;
                count += dirs * (gh * inl + gh * out + (bias ? 2 * gh : 0) + (proj > 0 ? (long) proj * h : 0));
            }
            s.reserve(count);
            return Recurrent.builder(cell, in, h).numLayers(layers).bidirectional(bidi).bias(bias).projSize(proj)
                    .dropout(s.getDouble("dropout", 0, 1)).backend(b).dtype(d).seed(s.getLong("seed", Long.MIN_VALUE, Long.MAX_VALUE))
                    .build();
        });
        FACTORIES.put("CellModule", (s, b, d) -> cellModule(s, b, d, cell(s)));
        FACTORIES.put("LSTMCell", (s, b, d) -> cellModule(s, b, d, Cells.lstm()));
        FACTORIES.put("GRUCell", (s, b, d) -> cellModule(s, b, d, Cells.gru()));
        FACTORIES.put("RNNCell", (s, b, d) -> cellModule(s, b, d, cell(s)));
        FACTORIES.put("LayerNorm", (s, b, d) -> {
            int n = s.getInt("normalized_size", 1, Integer.MAX_VALUE);
            boolean affine = s.getBoolean("elementwise_affine");
            s.reserve(affine ? 2L * n : 0);
            return new LayerNorm(n, s.getDouble("eps", Double.MIN_VALUE, Double.MAX_VALUE), affine, b, d);
        });
        FACTORIES.put("AdditiveAttention", (s, b, d) -> {
            int q = s.getInt("query_size", 1, Integer.MAX_VALUE);
            int k = s.getInt("key_size", 1, Integer.MAX_VALUE);
            int a = s.getInt("attention_size", 1, Integer.MAX_VALUE);
            // all its parameters are in its children Wa, Ua, Va, which reserved them when they were rebuilt
            s.reserve(0);
            return new AdditiveAttention(q, k, a, b, d, new java.util.SplittableRandom(0));
        });
        FACTORIES.put("MultiheadAttention", (s, b, d) -> {
            int e = s.getInt("embed_dim", 1, Integer.MAX_VALUE);
            int h = s.getInt("num_heads", 1, e);
            if (e % h != 0) {
                throw new ModelFormatException("module '" + s.path() + "' of type MultiheadAttention: num_heads " + h
                        + " does not divide embed_dim " + e);
            }
            s.reserve(3L * e * e + 3L * e); // in_proj_*; the child out_proj reserved its own when it was rebuilt
            return new MultiheadAttention(e, h, b, d, new java.util.SplittableRandom(0));
        });
        FACTORIES.put("ClassicCharRnn", (s, b, d) -> {
            int in = s.getInt("input_size", 1, Integer.MAX_VALUE);
            int h = s.getInt("hidden_size", 1, Integer.MAX_VALUE);
            int out = s.getInt("output_size", 1, Integer.MAX_VALUE);
            // its parameters are those of its children i2h and i2o, already counted when they were rebuilt
            Linear i2h = s.child("i2h", Linear.class);
            Linear i2o = s.child("i2o", Linear.class);
            if (i2h.inFeatures() != (long) in + h || i2h.outFeatures() != h || i2o.inFeatures() != (long) in + h || i2o.outFeatures() != out) {
                throw new ModelFormatException("module '" + s.path() + "' (ClassicCharRnn " + in + ", " + h + ", " + out + ") does not match its children"
                        + " i2h [" + i2h.inFeatures() + " -> " + i2h.outFeatures() + "] and i2o [" + i2o.inFeatures() + " -> " + i2o.outFeatures() + "]");
            }
            return new ClassicCharRnn(in, h, out, b, d, 0);
        });
    }

    private Models() {
    }

    private static Cell cell(ModuleSpec s) {
        String name = s.getString("cell");
        java.util.function.Supplier<Cell> user = CELLS.get(name);
        if (user != null) {
            return user.get();
        }
        try {
            return Cells.byName(name);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("module '" + s.path() + "' uses cell '" + name + "', which is neither built in nor registered;"
                    + " register it with Models.registerCell(\"" + name + "\", ...) before loading; registered: " + CELLS.keySet());
        }
    }

    private static Module cellModule(ModuleSpec s, Backend b, DType d, Cell cell) {
        int in = s.getInt("input_size", 1, Integer.MAX_VALUE);
        int h = s.getInt("hidden_size", 1, Integer.MAX_VALUE);
        boolean bias = s.getBoolean("bias");
        long gh = (long) cell.gates() * h;
        s.reserve(gh * in + gh * h + (bias ? 2 * gh : 0));
        java.util.SplittableRandom rng = new java.util.SplittableRandom(0);
        return switch (s.type()) {
            case "LSTMCell" -> new LSTMCell(in, h, bias, b, d, rng);
            case "GRUCell" -> new GRUCell(in, h, bias, b, d, rng);
            case "RNNCell" -> new RNNCell(in, h, bias, cell.name().equals("rnn_relu"), b, d, rng);
            default -> new CellModule(cell, in, h, bias, b, d, rng);
        };
    }

    // ---- registration ----

    /**
     * Registers the factory that rebuilds modules of {@code type} (a user module's
     * {@link Module#typeName()}); replaces an earlier registration of the same user type.
     *
     * @throws IllegalArgumentException when {@code type} is blank or a built-in type
     */
    public static void register(String type, ModuleFactory factory) {
        if (type == null || type.isBlank() || factory == null) {
            throw new IllegalArgumentException("Models.register: type and factory are required");
        }
        if (BUILT_IN.contains(type)) {
            throw new IllegalArgumentException("Models.register: '" + type + "' is a built-in type; give your module another typeName()");
        }
        FACTORIES.put(type, factory);
    }

    private static final java.util.Set<String> BUILT_IN = java.util.Set.of("Linear", "Embedding", "Dropout", "LogSoftmax", "Sequential",
            "Recurrent", "CellModule", "LSTMCell", "GRUCell", "RNNCell", "ClassicCharRnn", "LayerNorm", "AdditiveAttention",
            "MultiheadAttention");

    /**
     * Registers a user-defined cell under its {@link Cell#name()} so that recurrent layers and cell
     * modules using it can be rebuilt.
     */
    public static void registerCell(String name, java.util.function.Supplier<Cell> cell) {
        if (name == null || name.isBlank() || cell == null) {
            throw new IllegalArgumentException("Models.registerCell: name and cell are required");
        }
        CELLS.put(name, cell);
    }

    /** The module types this JVM can rebuild, built-in and registered. */
    public static java.util.Set<String> registeredTypes() {
        return new java.util.TreeSet<>(FACTORIES.keySet());
    }

    // ---- saving ----

    /** {@link #save(Path, Module, Map, Map)} without vocabularies or metadata. */
    public static void save(Path path, Module model) throws IOException {
        save(path, model, Map.of(), Map.of());
    }

    /**
     * Writes {@code model}'s weights, architecture, the {@code vocabularies} (by name) and
     * {@code metadata} to {@code path} atomically (a failed save leaves an existing file intact).
     *
     * @param metadata free-form string entries; keys must not start with {@code rnn4j.} or {@value #VOCABULARY_PREFIX}
     * @throws IllegalArgumentException when a module of the tree cannot be rebuilt (its {@link Module#config()}
     *                                  is null), or on a reserved metadata key or a bad vocabulary name
     */
    public static void save(Path path, Module model, Map<String, Vocabulary> vocabularies, Map<String, String> metadata)
            throws IOException {
        save(path, model, vocabularies, metadata, Map.of());
    }

    /**
     * {@link #save(Path, Module, Map, Map)} with a training run's state beside the model (what
     * {@code Fit} writes into its checkpoints): tensors named {@value #TRAINING_PREFIX}{@code *}, which
     * {@link #load} ignores.
     *
     * @throws IllegalArgumentException as {@link #save(Path, Module, Map, Map)}, or when a name of
     *                                  {@code trainingState} does not start with {@value #TRAINING_PREFIX}
     */
    public static void save(Path path, Module model, Map<String, Vocabulary> vocabularies, Map<String, String> metadata,
            Map<String, HostTensor> trainingState) throws IOException {
        if (model == null || vocabularies == null || metadata == null || trainingState == null) {
            throw new IllegalArgumentException("Models.save: model, vocabularies, metadata and training state are required (use Map.of() for none)");
        }
        String architecture = architecture(model);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.stateDict().entrySet()) {
            tensors.put(e.getKey(), HostTensor.of(e.getValue()));
        }
        for (Map.Entry<String, HostTensor> e : trainingState.entrySet()) {
            if (!e.getKey().startsWith(TRAINING_PREFIX) || tensors.containsKey(e.getKey())) {
                throw new IllegalArgumentException("Models.save: training-state tensor '" + abbreviate(e.getKey()) + "' must be named "
                        + TRAINING_PREFIX + "* and differ from every weight's name");
            }
            tensors.put(e.getKey(), e.getValue());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey().startsWith("rnn4j.") || e.getKey().startsWith(VOCABULARY_PREFIX)) {
                throw new IllegalArgumentException("Models.save: metadata key '" + e.getKey() + "' is reserved (rnn4j.* and "
                        + VOCABULARY_PREFIX + "* are the file's own)");
            }
            meta.put(e.getKey(), e.getValue());
        }
        meta.put(FORMAT_KEY, FORMAT);
        meta.put(ARCHITECTURE_KEY, architecture);
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Vocabulary> e : vocabularies.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.contains(",")) {
                throw new IllegalArgumentException("Models.save: vocabulary name '" + name + "' must be non-empty without commas");
            }
            e.getValue().save(VOCABULARY_PREFIX + name, tensors, meta);
            names.add(name);
        }
        meta.put(VOCABULARIES_KEY, String.join(",", names));
        SafeTensors.write(path, tensors, meta);
    }

    /** Whether {@link #save} can write {@code model}: every module of its tree has a {@link Module#config()}. */
    public static boolean canSave(Module model) {
        return model.namedModules().values().stream().allMatch(m -> m.config() != null);
    }

    /**
     * The architecture of {@code model} as the JSON the file stores: {@code {"type": ..., "config":
     * {...}, "children": {name: {...}, ...}}}.
     *
     * @throws IllegalArgumentException naming the first module (by path) whose config is null
     */
    public static String architecture(Module model) {
        StringWriter out = new StringWriter();
        try (JsonWriter w = new JsonWriter(out)) {
            writeModule(w, "", model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeModule(JsonWriter w, String path, Module m) throws IOException {
        Map<String, Object> config = m.config();
        if (config == null) {
            throw new IllegalArgumentException("Models.save: module '" + (path.isEmpty() ? "(root)" : path) + "' of type " + m.typeName()
                    + " cannot be rebuilt from a file: override config() in it and register a ModuleFactory for '" + m.typeName()
                    + "' with Models.register (or save only its weights with Checkpoints.save)");
        }
        w.beginObject();
        w.name("type").value(m.typeName());
        w.name("config").beginObject();
        for (Map.Entry<String, Object> e : config.entrySet()) {
            w.name(e.getKey());
            Object v = e.getValue();
            if (v instanceof Boolean b) {
                w.value(b);
            } else if (v instanceof Number n) {
                w.value(n);
            } else if (v instanceof String s) {
                w.value(s);
            } else {
                throw new IllegalArgumentException("Models.save: module '" + path + "' config entry '" + e.getKey() + "' is a "
                        + (v == null ? "null" : v.getClass().getSimpleName()) + "; expected a number, string or boolean");
            }
        }
        w.endObject();
        w.name("children").beginObject();
        for (Map.Entry<String, Module> c : m.children().entrySet()) {
            w.name(c.getKey());
            writeModule(w, path.isEmpty() ? c.getKey() : path + "." + c.getKey(), c.getValue());
        }
        w.endObject();
        w.endObject();
    }

    // ---- loading ----

    /** What {@link #load} returns: the rebuilt model, its vocabularies by name and the free-form metadata. */
    public record Loaded(Module model, Map<String, Vocabulary> vocabularies, Map<String, String> metadata) {
        /**
         * The model as a {@code type}.
         *
         * @throws ModelFormatException when the file holds another kind of model
         */
        public <M extends Module> M model(Class<M> type) {
            if (!type.isInstance(model)) {
                throw new ModelFormatException("the model file holds a " + model.typeName() + ", not a " + type.getSimpleName());
            }
            return type.cast(model);
        }

        /**
         * The vocabulary saved under {@code name}.
         *
         * @throws ModelFormatException naming the vocabularies the file has
         */
        public Vocabulary vocabulary(String name) {
            Vocabulary v = vocabularies.get(name);
            if (v == null) {
                throw new ModelFormatException("the model file has no vocabulary '" + name + "'; it has " + vocabularies.keySet());
            }
            return v;
        }
    }

    /**
     * Rebuilds the model saved at {@code path} on {@code backend}, with its vocabularies and metadata.
     * The model is in evaluation mode. The file's header is checked first (format, architecture, the
     * declared weights' names, shapes and dtypes against the rebuilt model); then only the weights and
     * the vocabularies are read: a tensor the model does not use is refused without being read, and a
     * training run's state ({@value #TRAINING_PREFIX}{@code *}) is skipped.
     *
     * @throws ModelFormatException when the file is not an rnn4j model file, its architecture is damaged
     *                              or names an unknown type, or its weights do not fit the architecture
     * @throws IOException          when the file cannot be read (a damaged safetensors file gives
     *                              {@link org.rnn4j.io.SafeTensorsFormatException})
     */
    public static Loaded load(Path path, Backend backend) throws IOException {
        if (path == null || backend == null) {
            throw new IllegalArgumentException("Models.load: path and backend are required");
        }
        SafeTensorsIndex index = SafeTensors.readIndex(path);
        Map<String, Declared> declared = new LinkedHashMap<>();
        index.entries().forEach((k, e) -> declared.put(k, new Declared(e.type(), e.shape())));
        Rebuilt r = rebuild(index.source(), index.metadata(), declared, backend);
        return r.finish(index.read(r.toRead()));
    }

    /** {@link #load(Path, Backend)} of a file already read (e.g. from a class-path resource). */
    public static Loaded load(SafeTensorsFile file, Backend backend) {
        Map<String, Declared> declared = new LinkedHashMap<>();
        file.tensors().forEach((k, h) -> declared.put(k, new Declared(h.type(), h.shape())));
        return rebuild(file.source(), file.metadata(), declared, backend).finish(file);
    }

    /** A tensor as a file's header declares it. */
    private record Declared(org.rnn4j.io.StoredType type, int[] shape) {
    }

    /** A model rebuilt and checked against a file's header, waiting for its weights. */
    private record Rebuilt(String src, Module model, DType dtype, List<String> vocabularies, List<String> toRead, Map<String, String> meta) {
        Loaded finish(SafeTensorsFile data) {
            Map<String, Vocabulary> vocabs = new LinkedHashMap<>();
            for (String name : vocabularies) {
                try {
                    vocabs.put(name, Vocabulary.load(VOCABULARY_PREFIX + name, data));
                } catch (RuntimeException e) {
                    throw new ModelFormatException(src + ": vocabulary '" + abbreviate(name) + "': " + e.getMessage(), e);
                }
            }
            Backend backend = null;
            Map<String, Tensor> state = new LinkedHashMap<>();
            for (Map.Entry<String, Var> e : model.parameters().entrySet()) {
                backend = e.getValue().backend();
                HostTensor h = data.tensor(e.getKey());
                double[] v = h.asDoubles();
                for (int i = 0; i < v.length; i++) {
                    if (!Double.isFinite(v[i])) {
                        throw new ModelFormatException(src + ": weight " + e.getKey() + " holds " + v[i] + " at flat index " + i
                                + "; a model file must hold finite weights");
                    }
                }
                state.put(e.getKey(), backend.fromDoubles(v, dtype, h.shape()));
            }
            model.loadStateDict(state, true);
            model.eval();
            Map<String, String> free = new LinkedHashMap<>();
            meta.forEach((k, v) -> {
                if (!k.startsWith("rnn4j.") && !k.startsWith(VOCABULARY_PREFIX)) {
                    free.put(k, v);
                }
            });
            return new Loaded(model, java.util.Collections.unmodifiableMap(vocabs), java.util.Collections.unmodifiableMap(free));
        }
    }

    /** Checks the header, rebuilds the model and checks the declared weights against it; reads no tensor data. */
    private static Rebuilt rebuild(String src, Map<String, String> meta, Map<String, Declared> declared, Backend backend) {
        if (!FORMAT.equals(meta.get(FORMAT_KEY)) || !meta.containsKey(ARCHITECTURE_KEY)) {
            throw new ModelFormatException(src + " is not an rnn4j model file (no " + FORMAT_KEY + "=" + FORMAT + " and " + ARCHITECTURE_KEY
                    + " metadata" + (meta.containsKey(FORMAT_KEY) ? "; it says " + FORMAT_KEY + "=" + abbreviate(meta.get(FORMAT_KEY)) : "")
                    + "); a weights-only checkpoint loads with Checkpoints.load into a model you build");
        }
        List<String> vocabularies = new ArrayList<>();
        List<String> toRead = new ArrayList<>();
        String list = meta.getOrDefault(VOCABULARIES_KEY, "");
        for (String name : list.isEmpty() ? new String[0] : list.split(",", -1)) {
            vocabularies.add(name);
            if (declared.containsKey(VOCABULARY_PREFIX + name)) {
                toRead.add(VOCABULARY_PREFIX + name);
            }
        }
        Map<String, Declared> weights = new LinkedHashMap<>();
        long elements = 0;
        DType dtype = null;
        for (Map.Entry<String, Declared> e : declared.entrySet()) {
            if (e.getKey().startsWith(VOCABULARY_PREFIX) || e.getKey().startsWith(TRAINING_PREFIX)) {
                continue;
            }
            Declared h = e.getValue();
            DType d = switch (h.type()) {
                case F32 -> DType.FLOAT32;
                case F64 -> DType.FLOAT64;
                default -> throw new ModelFormatException(src + ": weight '" + abbreviate(e.getKey()) + "' is " + h.type()
                        + "; expected F32 or F64");
            };
            if (dtype != null && d != dtype) {
                throw new ModelFormatException(src + ": weights mix F32 and F64 ('" + abbreviate(e.getKey()) + "' is " + h.type() + ")");
            }
            dtype = d;
            weights.put(e.getKey(), h);
            elements += Shapes.size(h.shape());
        }
        if (dtype == null) {
            dtype = DType.FLOAT32;
        }
        if (!backend.supports(dtype)) {
            throw new ModelFormatException(src + ": the weights are " + dtype + ", which backend '" + backend.name() + "' does not support");
        }
        Object tree = parse(src, meta.get(ARCHITECTURE_KEY));
        Budget budget = new Budget(elements);
        Module model = build(src, "", tree, backend, dtype, budget, new int[1], 0);
        // the declared weights must fit the rebuilt parameters exactly
        Map<String, Var> params = model.parameters();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Var> e : params.entrySet()) {
            Declared h = weights.get(e.getKey());
            if (h == null) {
                problems.add("missing weight " + e.getKey());
            } else if (!Arrays.equals(h.shape(), e.getValue().shape())) {
                problems.add(e.getKey() + " is " + Shapes.str(h.shape()) + ", expected " + Shapes.str(e.getValue().shape()));
            }
        }
        for (String k : weights.keySet()) {
            if (!params.containsKey(k)) {
                problems.add("unexpected weight " + abbreviate(k));
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelFormatException(src + ": the weights do not fit the architecture: "
                    + String.join("; ", problems.size() > 10 ? problems.subList(0, 10) : problems)
                    + (problems.size() > 10 ? "; and " + (problems.size() - 10) + " more" : ""));
        }
        toRead.addAll(params.keySet());
        return new Rebuilt(src, model, dtype, vocabularies, toRead, meta);
    }

    /** Counts the parameters the architecture asks for against the weights the file holds. */
    static final class Budget {
        private long remaining;

        Budget(long elements) {
            this.remaining = elements;
        }

        void reserve(String path, String type, long count) {
            if (count < 0 || count > remaining) {
                // no file name: the loader adds it to every factory's exception
                throw new ModelFormatException("module '" + (path.isEmpty() ? "(root)" : path) + "' of type " + type + " asks for "
                        + count + " parameters but the file holds only " + remaining + " more weights; the architecture and weights disagree");
            }
            remaining -= count;
        }
    }

    @SuppressWarnings("unchecked")
    private static Module build(String src, String path, Object node, Backend backend, DType dtype, Budget budget, int[] count, int depth) {
        String where = src + ": architecture at '" + (path.isEmpty() ? "(root)" : path) + "'";
        if (depth > MAX_DEPTH) {
            throw new ModelFormatException(where + " is nested deeper than " + MAX_DEPTH + " modules");
        }
        if (++count[0] > MAX_MODULES) {
            throw new ModelFormatException(src + ": the architecture describes more than " + MAX_MODULES + " modules");
        }
        if (!(node instanceof Map<?, ?> obj)) {
            throw new ModelFormatException(where + " is not an object {type, config, children}");
        }
        Object type = obj.get("type");
        Object config = obj.get("config");
        Object children = obj.get("children");
        if (!(type instanceof String t) || !(config instanceof Map<?, ?>) || !(children instanceof Map<?, ?>)) {
            throw new ModelFormatException(where + " needs \"type\" (a string), \"config\" and \"children\" (objects); found keys " + obj.keySet());
        }
        ModuleFactory factory = FACTORIES.get(t);
        if (factory == null) {
            throw new ModelFormatException(where + " has module type '" + abbreviate(t) + "', which this JVM cannot rebuild; known types: "
                    + registeredTypes() + " (a user module registers a factory with Models.register before loading)");
        }
        Map<String, Module> built = new LinkedHashMap<>();
        for (Map.Entry<String, Object> c : ((Map<String, Object>) children).entrySet()) {
            String childPath = path.isEmpty() ? c.getKey() : path + "." + c.getKey();
            built.put(c.getKey(), build(src, childPath, c.getValue(), backend, dtype, budget, count, depth + 1));
        }
        ModuleSpec spec = new ModuleSpec(path, t, (Map<String, Object>) config, built, budget);
        Module m;
        try {
            m = factory.create(spec, backend, dtype);
        } catch (ModelFormatException e) {
            throw new ModelFormatException(src + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ModelFormatException(where + " (" + t + ") cannot be built: " + e.getMessage(), e);
        }
        if (m == null || !m.typeName().equals(t)) {
            throw new ModelFormatException(where + ": the factory for '" + t + "' returned " + (m == null ? "null" : "a " + m.typeName()));
        }
        // the factory's own children (a composite that builds them itself) must match the saved ones by name
        if (!m.children().keySet().equals(built.keySet())) {
            throw new ModelFormatException(where + " (" + t + ") has children " + m.children().keySet() + " but the file describes "
                    + built.keySet());
        }
        return m;
    }

    /** Parses JSON into maps, lists, strings, numbers (Double) and booleans, with bounded nesting. */
    private static Object parse(String src, String json) {
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            Object v = read(r, 0);
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new ModelFormatException(src + ": the architecture JSON has trailing content");
            }
            return v;
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ModelFormatException(src + ": the architecture metadata is not valid JSON: " + abbreviate(String.valueOf(e.getMessage())), e);
        }
    }

    private static Object read(JsonReader r, int depth) throws IOException {
        if (depth > 2 * MAX_DEPTH + 8) {
            // bounded recursion: a hostile header cannot overflow the stack
            throw new ModelFormatException("the architecture JSON is nested deeper than " + (2 * MAX_DEPTH + 8) + " levels");
        }
        switch (r.peek()) {
            case BEGIN_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                r.beginObject();
                while (r.hasNext()) {
                    String k = r.nextName();
                    if (m.put(k, read(r, depth + 1)) != null) {
                        throw new ModelFormatException("duplicate key '" + abbreviate(k) + "' in the architecture JSON");
                    }
                }
                r.endObject();
                return m;
            }
            case BEGIN_ARRAY: {
                List<Object> l = new ArrayList<>();
                r.beginArray();
                while (r.hasNext()) {
                    l.add(read(r, depth + 1));
                }
                r.endArray();
                return l;
            }
            case STRING:
                return r.nextString();
            case NUMBER:
                return r.nextDouble();
            case BOOLEAN:
                return r.nextBoolean();
            case NULL:
                r.nextNull();
                return null;
            default:
                throw new IOException("unexpected " + r.peek());
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
