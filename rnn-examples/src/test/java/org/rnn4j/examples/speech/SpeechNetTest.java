package org.rnn4j.examples.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.models.ModelFormatException;
import org.rnn4j.models.Models;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/** The speech model: masking of padded steps, its outputs, and its round trip through a model file. */
class SpeechNetTest {
    private static final Backend CPU = Backends.get("cpu");

    private static float[][] random(SplittableRandom rng, int steps, int width) {
        float[][] f = new float[steps][width];
        for (float[] row : f) {
            for (int j = 0; j < width; j++) {
                row[j] = (float) rng.nextGaussian();
            }
        }
        return f;
    }

    private static Utterances.Batch batch(List<float[][]> feats) {
        List<Utterances.Utterance> u = feats.stream().map(f -> new Utterances.Utterance("u", "s", f, new int[] {1, 2})).toList();
        return Utterances.collate(u);
    }

    private static double[] run(SpeechNet net, Utterances.Batch b) {
        net.eval();
        try (Grad.Scope off = Grad.disabled()) {
            Var x = b.input(CPU);
            return (SpeechNet.DIGITS.equals(net.settings().task()) ? net.digitLogits(x, b.x().lengths()) : net.stepLogProbs(x, b.x().lengths()))
                    .value().toDoubleArray();
        }
    }

    @Test
    void paddingDoesNotChangeAnUtterancesDigitLogits() {
        SplittableRandom rng = new SplittableRandom(4);
        SpeechNet net = new SpeechNet(new SpeechNet.Config(SpeechNet.DIGITS, 6, "gru", 5, 2, true, 0.3), CPU, DType.FLOAT32, 7);
        float[][] shortOne = random(rng, 3, 6);
        float[][] longOne = random(rng, 8, 6);
        double[] together = run(net, batch(List.of(shortOne, longOne)));
        double[] alone = run(net, batch(List.<float[][]>of(shortOne)));
        double[] alone2 = run(net, batch(List.<float[][]>of(longOne)));
        assertEquals(20, together.length);
        for (int c = 0; c < 10; c++) {
            assertEquals(alone[c], together[c], 1e-5, "short utterance, class " + c);
            assertEquals(alone2[c], together[10 + c], 1e-5, "long utterance, class " + c);
        }
    }

    @Test
    void ctcOutputsAreLogProbabilitiesPerStepAndIgnorePadding() {
        SplittableRandom rng = new SplittableRandom(5);
        SpeechNet net = new SpeechNet(new SpeechNet.Config(SpeechNet.CONNECTED, 4, "lstm", 3, 1, true, 0), CPU, DType.FLOAT32, 2);
        float[][] a = random(rng, 2, 4);
        float[][] b = random(rng, 5, 4);
        double[] together = run(net, batch(List.of(a, b)));
        double[] alone = run(net, batch(List.<float[][]>of(a)));
        assertEquals(2 * 5 * 11, together.length);
        for (int t = 0; t < 5; t++) {
            double sum = 0;
            for (int c = 0; c < 11; c++) {
                sum += Math.exp(together[(5 + t) * 11 + c]);
            }
            assertEquals(1, sum, 1e-5, "probabilities of step " + t + " sum to 1");
        }
        for (int i = 0; i < 2 * 11; i++) {
            assertEquals(alone[i], together[i], 1e-5, "valid steps of the shorter utterance, entry " + i);
        }
    }

    @Test
    void aSavedModelRebuildsWithIdenticalOutputs(@TempDir Path dir) throws IOException {
        SpeechNet.register();
        SplittableRandom rng = new SplittableRandom(6);
        Utterances.Batch b = batch(List.of(random(rng, 4, 9), random(rng, 7, 9)));
        for (String task : List.of(SpeechNet.DIGITS, SpeechNet.CONNECTED)) {
            SpeechNet net = new SpeechNet(new SpeechNet.Config(task, 9, "gru", 6, 2, true, 0.2), CPU, DType.FLOAT32, 11);
            Path file = dir.resolve(task + ".safetensors");
            Models.save(file, net, Map.of(), SpeechFeatures.DEFAULT.toMetadata());
            Models.Loaded loaded = Models.load(file, CPU);
            SpeechNet back = loaded.model(SpeechNet.class);
            assertEquals(net.settings(), back.settings());
            assertEquals(SpeechFeatures.DEFAULT, SpeechFeatures.fromMetadata(loaded.metadata(), file.toString()));
            assertArrayEquals(run(net, b), run(back, b), 0.0, task);
        }
    }

    @Test
    void aDamagedConfigurationIsRefusedByName(@TempDir Path dir) throws IOException {
        SpeechNet.register();
        SpeechNet net = new SpeechNet(new SpeechNet.Config(SpeechNet.DIGITS, 3, "gru", 2, 1, false, 0), CPU, DType.FLOAT32, 1);
        Path file = dir.resolve("m.safetensors");
        Models.save(file, net);
        var f = org.rnn4j.io.SafeTensors.read(file);
        Map<String, String> meta = new java.util.LinkedHashMap<>(f.metadata());
        meta.put(Models.ARCHITECTURE_KEY, meta.get(Models.ARCHITECTURE_KEY).replace("\"digits\"", "\"poetry\""));
        Map<String, org.rnn4j.io.HostTensor> tensors = new java.util.LinkedHashMap<>(f.tensors());
        Path bad = dir.resolve("bad.safetensors");
        org.rnn4j.io.SafeTensors.write(bad, tensors, meta);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Models.load(bad, CPU));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("task") && e.getMessage().contains("poetry"), e.getMessage());
    }
}
