package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.models.ModelFormatException;
import org.rnn4j.models.Models;
import org.rnn4j.models.Predictor;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.LSTMCell;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.LogSoftmax;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.nn.Sequential;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * Self-describing model files ({@link Models}) and {@link Predictor} on a backend: a tree of every
 * built-in module saved and rebuilt with identical outputs, user modules through a registered factory,
 * and damaged or hostile files refused with a clear {@link ModelFormatException}.
 */
public abstract class ModelFilesContract extends BackendContract {

    /** A user's composite model: embedding -> bidirectional LSTM -> decoder cell -> head. */
    public static final class Tagger extends Module {
        final int vocabulary;
        final Embedding embedding;
        final Recurrent rnn;
        final LSTMCell decoder;
        final Sequential head;

        public Tagger(int vocabulary, Backend b, DType d, long seed) {
            this.vocabulary = vocabulary;
            SplittableRandom rng = new SplittableRandom(seed);
            embedding = registerModule("embedding", new Embedding(vocabulary, 5, 0, b, d, rng));
            rnn = registerModule("rnn", Recurrent.builder(Cells.lstm(), 5, 4).bidirectional(true).numLayers(2).backend(b).dtype(d)
                    .seed(rng.nextLong()).build());
            decoder = registerModule("decoder", new LSTMCell(8, 6, b, d, rng));
            head = registerModule("head", new Sequential(new Linear(6, 7, true, b, d, rng), new Dropout(0.3, 9), new Linear(7, 3, false, b, d, rng),
                    new LogSoftmax()));
        }

        /** {@code ids [B, T]} -> log-probabilities {@code [B, 3]}. */
        public Var forward(int[][] ids) {
            Var h = rnn.forward(embedding.forward(ids)).output();
            Var last = F.slice(h, 1, h.dim(1) - 1, h.dim(1));
            Var step = F.reshape(last, h.dim(0), 8);
            return head.forward(decoder.forward(step, null).get(0));
        }

        @Override
        public Map<String, Object> config() {
            return Map.of("vocabulary", vocabulary);
        }
    }

    private static final int[][] IDS = {{1, 2, 3, 0}, {4, 4, 2, 1}, {3, 1, 0, 0}};

    private static Tagger rebuild(org.rnn4j.models.ModuleSpec s, Backend b, DType d) {
        return new Tagger(s.getInt("vocabulary", 1, 1000), b, d, 0);
    }

    private static double[] run(Module m) {
        try (Grad.Scope off = Grad.disabled()) {
            m.eval();
            return ((Tagger) m).forward(IDS).value().toDoubleArray();
        }
    }

    @Test
    void everyBuiltInModuleRoundTripsWithIdenticalOutputs(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        Models.register("Tagger", ModelFilesContract::rebuild);
        Tagger model = new Tagger(6, b, DType.FLOAT32, 5);
        Vocabulary words = Vocabulary.words().build(List.of("le chat", "le chien"));
        Path file = dir.resolve("tagger.safetensors");
        Models.save(file, model, Map.of("source", words), Map.of("task", "demo"));
        Models.Loaded loaded = Models.load(file, b);
        Tagger back = loaded.model(Tagger.class);
        assertFalse(back.isTraining(), "a loaded model is in evaluation mode");
        assertArrayEquals(run(model), run(back), 0.0f);
        assertEquals(model.parameters().keySet(), back.parameters().keySet());
        assertEquals(words.tokens(), loaded.vocabulary("source").tokens());
        assertEquals(Map.of("task", "demo"), loaded.metadata());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> loaded.vocabulary("target"));
        assertTrue(e.getMessage().contains("[source]"), e.getMessage());
    }

    @Test
    void aPlainSequentialNeedsNoRegistration(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        SplittableRandom rng = new SplittableRandom(3);
        Sequential net = new Sequential(new Linear(4, 5, true, b, DType.FLOAT32, rng), new Dropout(0.1, 1), new Linear(5, 2, true, b, DType.FLOAT32, rng));
        Path file = dir.resolve("seq.safetensors");
        Models.save(file, net);
        Sequential back = Models.load(file, b).model(Sequential.class);
        Var x = Var.constant(GradCheck.random(b, rng, DType.FLOAT32, 3, 4));
        net.eval();
        assertArrayEquals(net.forward(x).value().toFloatArray(), back.forward(x).value().toFloatArray(), 0.0f);
    }

    @Test
    void anLstmWithProjectionsRoundTrips(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        Recurrent lstm = Recurrent.builder(Cells.lstm(), 3, 6).projSize(2).numLayers(2).bidirectional(true).backend(b).seed(4).build();
        assertTrue(lstm.parameters().containsKey("weight_hr_l1_reverse"));
        Path file = dir.resolve("proj.safetensors");
        Models.save(file, lstm);
        Recurrent back = Models.load(file, b).model(Recurrent.class);
        Var x = Var.constant(GradCheck.random(b, new SplittableRandom(2), DType.FLOAT32, 2, 4, 3));
        Recurrent.Output a = lstm.forward(x);
        Recurrent.Output c = back.forward(x);
        assertArrayEquals(new int[] {2, 4, 4}, a.output().shape());
        assertArrayEquals(a.output().value().toFloatArray(), c.output().value().toFloatArray(), 0.0f);
        assertArrayEquals(new int[] {4, 2, 2}, c.hN().shape());
    }

    @Test
    void theClassicModelRoundTrips(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        org.rnn4j.nn.ClassicCharRnn classic = new org.rnn4j.nn.ClassicCharRnn(5, 7, 3, b, DType.FLOAT32, 2);
        Path file = dir.resolve("classic.safetensors");
        Models.save(file, classic);
        org.rnn4j.nn.ClassicCharRnn back = Models.load(file, b).model(org.rnn4j.nn.ClassicCharRnn.class);
        Var x = Var.constant(GradCheck.random(b, new SplittableRandom(1), DType.FLOAT32, 2, 4, 5));
        assertArrayEquals(classic.forward(x).value().toFloatArray(), back.forward(x).value().toFloatArray(), 0.0f);
    }

    @Test
    void modulesThatCannotBeRebuiltAreNamedAtSaveTime(@TempDir Path dir) {
        ComputeBackend b = backend();
        Module anonymous = new Module() {
            {
                registerModule("inner", new Sequential(new Linear(2, 2, true, b, DType.FLOAT32, 1)));
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.save(dir.resolve("x.safetensors"), anonymous));
        assertTrue(e.getMessage().contains("module '(root)'") && e.getMessage().contains("Models.register"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    @Test
    void damagedAndHostileFilesAreRefusedWithTheReason(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        Sequential net = new Sequential(new Linear(3, 2, true, b, DType.FLOAT32, 1));
        Path good = dir.resolve("good.safetensors");
        Models.save(good, net);
        SafeTensorsFile f = SafeTensors.read(good);

        // a weights-only checkpoint
        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, f.tensors(), Map.of());
        assertMessage(plain, b, "is not an rnn4j model file");

        // an unknown type, listing the known ones
        assertMessage(withArchitecture(dir, f, "{\"type\":\"Transformer\",\"config\":{},\"children\":{}}"), b,
                "module type 'Transformer'", "known types: [", "Models.register");

        // a huge layer asked for by the architecture: refused before any allocation
        assertMessage(withArchitecture(dir, f, "{\"type\":\"Sequential\",\"config\":{},\"children\":{\"0\":{\"type\":\"Linear\",\"config\":"
                + "{\"in_features\":2000000000,\"out_features\":2000000000,\"bias\":true},\"children\":{}}}}"), b, "asks for", "holds only 8");

        // sizes of the wrong kind
        assertMessage(withArchitecture(dir, f, "{\"type\":\"Sequential\",\"config\":{},\"children\":{\"0\":{\"type\":\"Linear\",\"config\":"
                + "{\"in_features\":-3,\"out_features\":2,\"bias\":true},\"children\":{}}}}"), b, "in_features", "-3");

        // deep nesting: an error, not a StackOverflowError
        String deep = "[".repeat(20_000) + "]".repeat(20_000);
        assertMessage(withArchitecture(dir, f, deep), b, "nested deeper");

        // not JSON
        assertMessage(withArchitecture(dir, f, "{\"type\":"), b, "not valid JSON");

        // weights that do not fit
        Map<String, HostTensor> wrong = new LinkedHashMap<>(f.tensors());
        wrong.put("0.bias", HostTensor.ofFloats(new float[] {1, 2}, 1, 2));
        Path misShaped = dir.resolve("misshaped.safetensors");
        SafeTensors.write(misShaped, wrong, f.metadata());
        assertMessage(misShaped, b, "0.bias is [1, 2], expected [2]");

        // a NaN weight
        Map<String, HostTensor> nan = new LinkedHashMap<>(f.tensors());
        nan.put("0.bias", HostTensor.ofFloats(new float[] {1, Float.NaN}, 2));
        Path nanFile = dir.resolve("nan.safetensors");
        SafeTensors.write(nanFile, nan, f.metadata());
        assertMessage(nanFile, b, "0.bias holds NaN");

        // a tensor the model does not use: refused from the header; a training run's state: skipped
        Map<String, HostTensor> extra = new LinkedHashMap<>(f.tensors());
        extra.put("junk", HostTensor.ofFloats(new float[] {1}, 1));
        Path junk = dir.resolve("junk.safetensors");
        SafeTensors.write(junk, extra, f.metadata());
        assertMessage(junk, b, "unexpected weight junk");
        extra.remove("junk");
        extra.put(Models.TRAINING_PREFIX + "state", HostTensor.ofFloats(new float[] {Float.NaN}, 1));
        Path training = dir.resolve("training.safetensors");
        SafeTensors.write(training, extra, f.metadata());
        assertEquals(net.parameters().keySet(), Models.load(training, b).model().parameters().keySet());
    }

    private static Path withArchitecture(Path dir, SafeTensorsFile f, String json) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(f.metadata());
        meta.put(Models.ARCHITECTURE_KEY, json);
        Path p = Files.createTempFile(dir, "arch", ".safetensors");
        SafeTensors.write(p, f.tensors(), meta);
        return p;
    }

    private static void assertMessage(Path file, Backend b, String... parts) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.load(file, b));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "expected '" + p + "' in: " + e.getMessage());
        }
        assertTrue(e.getMessage().length() < 2000, "message is bounded");
    }

    @Test
    void predictorBatchesAndIsSafeAcrossThreads() throws Exception {
        ComputeBackend b = backend();
        Tagger model = new Tagger(6, b, DType.FLOAT32, 8);
        Predictor<Tagger, int[], double[]> p = new Predictor<>(model, 2, (m, batch) -> {
            double[] out = m.forward(batch.toArray(new int[0][])).value().toDoubleArray();
            List<double[]> rows = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                rows.add(java.util.Arrays.copyOfRange(out, i * 3, i * 3 + 3));
            }
            return rows;
        });
        List<int[]> inputs = List.of(IDS);
        double[] whole = run(model);
        List<double[]> got = p.predict(inputs);
        for (int i = 0; i < IDS.length; i++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(whole, i * 3, i * 3 + 3), got.get(i), 1e-6, "row " + i);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<double[]>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> p.predict(inputs)));
            }
            for (Future<List<double[]>> fu : futures) {
                List<double[]> r = fu.get();
                for (int i = 0; i < IDS.length; i++) {
                    assertArrayEquals(got.get(i), r.get(i), 0.0);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThrows(IllegalStateException.class, () -> new Predictor<Tagger, int[], double[]>(model, 2, (m, batch) -> List.of()).predict(inputs));
    }
}
