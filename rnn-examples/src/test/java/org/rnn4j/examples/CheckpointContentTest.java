package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.examples.BadInputTest.assertBadInput;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.models.Models;

/**
 * Issue 9, defects 1-5 and 8 through the CLI: checkpoints whose content is bad (damaged architecture,
 * vocabularies, weights, history, optimizer state, headers) each end in one clear line and exit 2, and
 * a declared huge tensor is not read. Each case is a real checkpoint (a model file, with the training
 * state of Fit for charrnn), trained here in seconds, then edited.
 */
class CheckpointContentTest {
    /** Largest element count a tensor may declare. */
    private static final long MAX = Integer.MAX_VALUE - 8;

    @TempDir
    static Path dir;
    static Path text;
    static Path charCkpt;
    static Path namesCkpt;

    @BeforeAll
    static void trainTinyModels() throws Exception {
        text = Cli.shakespeare(dir, 6000);
        charCkpt = dir.resolve("c.safetensors");
        Cli.Result r = Cli.run(Cli.tinyCharRnn(text, charCkpt, "--max-steps", "3", "--sample-length", "0"));
        assertEquals(0, r.code(), r::toString);
        namesCkpt = dir.resolve("n.safetensors");
        Cli.Result n = Cli.run("names", "--cell", "gru", "--hidden", "8", "--embedding", "4", "--max-steps", "2", "--batch", "16",
                "--out-dir", dir.toString(), "--checkpoint", namesCkpt.toString(), "--plain-progress");
        assertEquals(0, n.code(), n::toString);
    }

    private static int counter;

    /** A copy of {@code from} with its tensors and metadata changed by {@code edit}. */
    static synchronized Path edited(Path from, BiConsumer<Map<String, HostTensor>, Map<String, String>> edit) throws Exception {
        SafeTensorsFile f = SafeTensors.read(from);
        Map<String, HostTensor> t = new LinkedHashMap<>(f.tensors());
        Map<String, String> m = new LinkedHashMap<>(f.metadata());
        edit.accept(t, m);
        Path to = dir.resolve("edited-" + (counter++) + ".safetensors");
        SafeTensors.write(to, t, m);
        return to;
    }

    static Path withMetadata(Path from, String key, String value) throws Exception {
        return edited(from, (t, m) -> m.put(key, value));
    }

    /** A copy of {@code from} whose architecture has {@code "key":json} for the first config entry {@code key}. */
    static Path withConfig(Path from, String key, String json) throws Exception {
        return edited(from, (t, m) -> {
            String arch = m.get(Models.ARCHITECTURE_KEY);
            String edited = arch.replaceFirst("\"" + key + "\":(\"[^\"]*\"|[^,}]*)", java.util.regex.Matcher.quoteReplacement("\"" + key + "\":" + json));
            assertTrue(!edited.equals(arch) || arch.contains("\"" + key + "\":" + json), "no config entry " + key + " in " + arch);
            m.put(Models.ARCHITECTURE_KEY, edited);
        });
    }

    /**
     * A copy of {@code from} (without its tensor {@code replaced}, if given) plus a tensor {@code name}
     * declared F32 [2^31-9]: a sparse file whose data for it is a hole, kilobytes on disk.
     */
    static Path withHugeTensor(Path from, String name, String replaced) throws Exception {
        SafeTensorsFile f = SafeTensors.read(from);
        Map<String, HostTensor> t = new LinkedHashMap<>(f.tensors());
        t.remove(replaced);
        byte[] bytes = SafeTensors.toBytes(t, f.metadata());
        int n = (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String json = new String(bytes, 8, n, StandardCharsets.UTF_8).strip();
        long dataLength = bytes.length - 8 - n;
        String header = json.substring(0, json.length() - 1) + ",\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[" + MAX
                + "],\"data_offsets\":[" + dataLength + "," + (dataLength + 4 * MAX) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path to = dir.resolve("huge-" + (counter++) + ".safetensors");
        try (RandomAccessFile out = new RandomAccessFile(to.toFile(), "rw")) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            out.write(bytes, 8 + n, (int) dataLength);
            out.setLength(8 + h.length + dataLength + 4 * MAX);
        }
        return to;
    }

    static Cli.Result sample(Path ckpt) {
        return Cli.run("charrnn", "sample", "--checkpoint", ckpt.toString(), "--prime", "T", "--length", "5");
    }

    static Cli.Result predict(Path ckpt) {
        return Cli.run("names", "predict", "--checkpoint", ckpt.toString(), "Dostoevsky", "O'Neill");
    }

    static Cli.Result resume(Path ckpt, String... more) {
        String[] opts = {"--resume", "--max-steps", "5", "--sample-length", "0"};
        String[] all = Arrays.copyOf(opts, opts.length + more.length);
        System.arraycopy(more, 0, all, opts.length, more.length);
        return Cli.run(Cli.tinyCharRnn(text, ckpt, all));
    }

    @Test
    void theUneditedCheckpointsWork() {
        Cli.Result s = sample(charCkpt);
        assertEquals(0, s.code(), s::toString);
        Cli.Result p = predict(namesCkpt);
        assertEquals(0, p.code(), p::toString);
    }

    /** Defect 5: a missing vocabulary used to reach dead null checks and end in "internal error", exit 1. */
    @Test
    void missingVocabulary() throws Exception {
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.remove("vocab.chars"))), "vocabulary 'chars'");
        assertBadInput(predict(edited(namesCkpt, (t, m) -> t.remove("vocab.chars"))), "vocabulary 'chars'");
        assertBadInput(resume(edited(charCkpt, (t, m) -> t.remove("vocab.chars"))), "vocabulary 'chars'");
        assertBadInput(predict(edited(namesCkpt, (t, m) -> m.put(Models.VOCABULARIES_KEY, ""))), "not a names model");
    }

    /**
     * Defect 5: bad cells, sizes and layers in the architecture (65,536 and 2^31-1 layers used to die
     * with OutOfMemoryError or NegativeArraySizeException) are refused before anything is allocated.
     */
    @Test
    void damagedArchitecture() throws Exception {
        for (String cell : new String[] {"\"\"", "\"LSTM\"", "\"mgu\"", "7"}) {
            assertBadInput(sample(withConfig(charCkpt, "cell", cell)), "damaged");
        }
        assertBadInput(sample(withConfig(charCkpt, "cell", "\"LSTM\"")), "cell 'LSTM'", "neither built in nor registered");
        assertBadInput(predict(withConfig(namesCkpt, "cell", "\"transformer\"")), "cell 'transformer'");
        for (String size : new String[] {"0", "-3"}) {
            assertBadInput(sample(withConfig(charCkpt, "hidden_size", size)), "'hidden_size'", "expected a whole number in [1, ");
            assertBadInput(predict(withConfig(namesCkpt, "embedding_dim", size)), "'embedding_dim'");
        }
        assertBadInput(sample(withConfig(charCkpt, "embedding_dim", "\"eight\"")), "'embedding_dim' is eight", "whole number");
        assertBadInput(sample(withConfig(charCkpt, "hidden_size", "99999999999")), "'hidden_size'");
        for (String layers : new String[] {"65536", "2147483647"}) {
            assertBadInput(sample(withConfig(charCkpt, "num_layers", layers)), "module 'rnn'", "damaged");
            assertBadInput(predict(withConfig(namesCkpt, "num_layers", layers)), "module 'rnn'", "damaged");
        }
        assertBadInput(sample(withConfig(charCkpt, "num_layers", "65536")), "asks for 314571264 parameters", "the file holds only");
        assertBadInput(sample(withConfig(charCkpt, "num_layers", "2147483647")), "'num_layers' is 2147483647");
        assertBadInput(sample(withConfig(charCkpt, "dropout", "\"NaN\"")), "'dropout'");
        assertBadInput(predict(withConfig(namesCkpt, "bidirectional", "\"maybe\"")), "'bidirectional' is maybe", "true or false");
        assertBadInput(predict(withConfig(namesCkpt, "out_features", "1")), "the layers do not chain");
        assertBadInput(sample(withMetadata(charCkpt, Models.ARCHITECTURE_KEY, "{\"type\":\"Transformer\",\"config\":{},\"children\":{}}")),
                "module type 'Transformer'");
    }

    /** Defect 4: the languages must match the model's classes (17 or 19 for 18 classes printed misaligned or invented classes). */
    @Test
    void languagesMustMatchTheClasses() throws Exception {
        String langs = SafeTensors.read(namesCkpt).metadata().get("languages");
        String[] l = langs.split("\n");
        assertEquals(18, l.length);
        String seventeen = String.join("\n", Arrays.copyOf(l, 17));
        assertBadInput(predict(withMetadata(namesCkpt, "languages", seventeen)), "'languages' lists 17 languages for a model of 18 classes");
        assertBadInput(predict(withMetadata(namesCkpt, "languages", langs + "\nKlingon")), "lists 19 languages for a model of 18 classes");
        String twice = langs.replace(l[1], l[0]);
        assertBadInput(predict(withMetadata(namesCkpt, "languages", twice)), "lists a language twice");
        assertBadInput(predict(withMetadata(namesCkpt, "languages", langs.replace(l[2], ""))), "empty language name");
    }

    /** Defects 4 and 5: empty, scalar, garbage, duplicate, wrongly typed, out-of-range or mis-sized vocabularies. */
    @Test
    void damagedVocabularies() throws Exception {
        int[] cps = SafeTensors.read(charCkpt).tensor("vocab.chars").asInts();
        int v = cps.length;
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofInts(new int[0], 0)))), "vocabulary 'chars'",
                "empty");
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofInts(new int[] {65})))), "shape []");
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofFloats(new float[v], v)))), "stored as F32",
                "I32 or I64");
        int[] dup = cps.clone();
        dup[3] = dup[2];
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofInts(dup, v)))), "at elements 2 and 3");
        long[] wide = new long[v];
        for (int i = 0; i < v; i++) {
            wide[i] = cps[i];
        }
        wide[5] = 1L << 40;
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofLongs(wide, v)))), "element 5 is 1099511627776",
                "not a Unicode scalar value");
        int[] beyond = cps.clone();
        beyond[0] = 0x110000;
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofInts(beyond, v)))), "element 0 is 1114112");
        assertBadInput(sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofInts(java.util.Arrays.copyOf(cps, v - 1), v - 1)))),
                "of " + (v - 1) + " tokens for a model of " + v);
        assertBadInput(predict(edited(namesCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofInts(new int[] {7})))), "shape []");
        // an I64 vocabulary of valid code points is accepted (HostTensor converts exactly)
        long[] ok = new long[v];
        for (int i = 0; i < v; i++) {
            ok[i] = cps[i];
        }
        Cli.Result r = sample(edited(charCkpt, (t, m) -> t.put("vocab.chars", HostTensor.ofLongs(ok, v))));
        assertEquals(0, r.code(), r::toString);
    }

    /** Defect 2: a header length shrunk into the padding used to shift every tensor and print NaN probabilities, exit 0. */
    @Test
    void headerLengthShrunkIntoThePadding() throws Exception {
        for (Path original : new Path[] {namesCkpt, charCkpt}) {
            Path ckpt = original;
            byte[] b = Files.readAllBytes(ckpt);
            for (int k = 1; b[(int) (8 + ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0) - 1)] != ' '; k++) {
                ckpt = withMetadata(original, "padding", "x".repeat(k)); // a header length that is not a multiple of 8 gets padding
                b = Files.readAllBytes(ckpt);
            }
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            long n = bb.getLong(0);
            assertEquals(0, (original == namesCkpt ? predict(ckpt) : sample(ckpt)).code(), "the padded file itself is good");
            bb.putLong(0, n - 1);
            Path shifted = Files.write(dir.resolve("shift-" + original.getFileName()), b);
            Cli.Result r = original == namesCkpt ? predict(shifted) : sample(shifted);
            assertBadInput(r, "not a valid safetensors file", "not covered by any tensor");
        }
    }

    /** Defect 1: a header nested 20,000 deep used to overflow the stack. */
    @Test
    void deeplyNestedHeader() throws Exception {
        String json = "{\"x\":" + "[".repeat(20_000) + "]".repeat(20_000) + "}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        byte[] file = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
        Path deep = Files.write(dir.resolve("deep.safetensors"), file);
        assertBadInput(sample(deep), "more than 64 levels deep");
        assertBadInput(predict(deep), "more than 64 levels deep");
    }

    /**
     * Defect 3: an extra entry declared F32 [2^31-9] (a sparse file) used to make 'charrnn sample' die
     * with OutOfMemoryError. A tensor the model does not use is refused from the header, a training-state
     * tensor is skipped, and a parameter declared with that shape is a mismatch found from the header:
     * none of them is read.
     */
    @Test
    void hugeDeclaredTensors() throws Exception {
        assertBadInput(sample(withHugeTensor(charCkpt, "junk", null)), "unexpected weight junk");
        assertBadInput(predict(withHugeTensor(namesCkpt, "junk", null)), "unexpected weight junk");
        Cli.Result r = sample(withHugeTensor(charCkpt, "fit.junk", null));
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("T") && r.out().length() == 6 + System.lineSeparator().length(), r::toString);
        assertBadInput(sample(withHugeTensor(charCkpt, "rnn.weight_hh_l0", "rnn.weight_hh_l0")), "do not fit the architecture",
                "rnn.weight_hh_l0 is [2147483639], expected [96, 24]");
    }

    /** Defect 8: NaN or infinite weights used to load without a word (then 'sample' printed zzzz and --resume blamed --lr). */
    @Test
    void nonFiniteWeights() throws Exception {
        Path nan = edited(charCkpt, (t, m) -> {
            float[] w = t.get("head.bias").asFloats();
            w[1] = Float.NaN;
            t.put("head.bias", HostTensor.ofFloats(w, w.length));
        });
        assertBadInput(sample(nan), "head.bias holds NaN", "finite weights");
        assertBadInput(resume(nan), "head.bias holds NaN");
        assertTrue(!resume(nan).err().contains("--lr"));
    }

    /** Defect 5 and 8: the training state a resume needs (step, time, optimizer state, loss and validation history) is validated. */
    @Test
    void damagedResumeState() throws Exception {
        assertBadInput(resume(withMetadata(charCkpt, "fit.step", "-1")), "cannot be resumed", "fit.step = '-1'");
        assertBadInput(resume(withMetadata(charCkpt, "fit.step", "4")), "fit.step_losses must hold one loss per step (4)");
        assertBadInput(resume(withMetadata(charCkpt, "fit.seconds", "NaN")), "fit.seconds = NaN");
        assertBadInput(resume(withMetadata(charCkpt, "fit.seconds", "-5")), "fit.seconds = -5.0");
        assertBadInput(resume(edited(charCkpt, (t, m) -> {
            float[] s = t.get("fit.optim.p0.exp_avg_sq").asFloats();
            s[0] = Float.POSITIVE_INFINITY;
            t.put("fit.optim.p0.exp_avg_sq", HostTensor.ofFloats(s, t.get("fit.optim.p0.exp_avg_sq").shape()));
        })), "'fit.optim.p0.exp_avg_sq' holds Infinity");
        assertBadInput(resume(edited(charCkpt, (t, m) -> t.keySet().removeIf(k -> k.startsWith("fit.optim.p1.")))),
                "cannot be resumed", "the optimizer state lacks [p1.step, p1.exp_avg, p1.exp_avg_sq]");
        assertBadInput(resume(edited(charCkpt, (t, m) -> t.put("fit.optim.p0.exp_avg", HostTensor.ofFloats(new float[2], 2)))),
                "cannot be resumed", "p0.exp_avg", "shape [2]");
        assertBadInput(resume(edited(charCkpt, (t, m) -> t.put("fit.step_losses", HostTensor.ofDoubles(new double[2], 2)))),
                "fit.step_losses must hold one loss per step (3)");
        assertBadInput(resume(edited(charCkpt, (t, m) -> m.remove("validation"))), "validation history", "missing");
        assertBadInput(resume(withMetadata(charCkpt, "validation", "3:1.5 2:1.4")), "row 1 is '2:1.4'");
        assertBadInput(resume(withMetadata(charCkpt, "text_crc32", "12")), "trained on another text");
        Cli.Result ok = resume(edited(charCkpt, (t, m) -> { }));
        assertEquals(0, ok.code(), ok::toString);
    }
}
