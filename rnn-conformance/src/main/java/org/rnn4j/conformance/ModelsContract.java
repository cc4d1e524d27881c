package org.rnn4j.conformance;

import org.rnn4j.spi.ComputeBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.io.CheckpointMismatchException;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.loss.Losses;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Checkpoints;
import org.rnn4j.nn.ClassicCharRnn;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Trainer;

/**
 * Models end to end on a backend: the classic character-level RNN learns a tiny fixed data set, truncated
 * BPTT learns a periodic sequence, checkpoints survive round trips and refuse bad files, and non-finite
 * losses are reported before any update.
 */
public abstract class ModelsContract extends BackendContract {

    /** Tiny fixed data: 8 "words" over 4 letters; the class is the letter that occurs most. */
    private static final int[][] WORDS = {{0, 0, 1}, {1, 1, 2}, {2, 2, 3}, {3, 3, 0}, {0, 1, 0}, {1, 2, 1}, {2, 3, 2}, {3, 0, 3}};
    private static final int[] CLASSES = {0, 1, 2, 3, 0, 1, 2, 3};

    private static Var oneHot(ComputeBackend b, DType dtype, int[] word, int letters) {
        double[] x = new double[word.length * letters];
        for (int t = 0; t < word.length; t++) {
            x[t * letters + word[t]] = 1;
        }
        return Var.constant(b.fromDoubles(x, dtype, 1, word.length, letters));
    }

    @Test
    void classicCharRnnNllFallsOnATinyDataSet() {
        ComputeBackend b = backend();
        ClassicCharRnn model = new ClassicCharRnn(4, 16, 4, b, DType.FLOAT32, 42);
        Trainer trainer = new Trainer(model, SGD.builder(model.parameters().values()).lr(0.05).build());
        double first = 0;
        double last = 0;
        for (int epoch = 0; epoch < 60; epoch++) {
            double total = 0;
            for (int i = 0; i < WORDS.length; i++) {
                Var x = oneHot(b, DType.FLOAT32, WORDS[i], 4);
                int[] target = {CLASSES[i]};
                total += trainer.step(() -> Losses.nll(model.forward(x), target));
            }
            if (epoch == 0) {
                first = total / WORDS.length;
            }
            last = total / WORDS.length;
        }
        assertTrue(first > 1.0, "initial NLL should be near ln 4 = 1.386, was " + first);
        assertTrue(last < 0.25 * first, "NLL fell only from " + first + " to " + last);
        int correct = 0;
        try (var off = Grad.disabled()) {
            for (int i = 0; i < WORDS.length; i++) {
                double[] lp = model.forward(oneHot(b, DType.FLOAT32, WORDS[i], 4)).value().toDoubleArray();
                int arg = 0;
                for (int c = 1; c < lp.length; c++) {
                    arg = lp[c] > lp[arg] ? c : arg;
                }
                correct += arg == CLASSES[i] ? 1 : 0;
            }
        }
        assertEquals(WORDS.length, correct, "the classic RNN should fit 8 words");
    }

    @Test
    void truncatedBpttLearnsAPeriodicSequence() {
        ComputeBackend b = backend();
        int period = 4;
        Recurrent lstm = Recurrent.builder(Cells.lstm(), period, 12).backend(b).seed(3).build();
        Linear head = new Linear(12, period, true, b, DType.FLOAT32, new java.util.SplittableRandom(4));
        List<Var> params = new ArrayList<>(lstm.parameters().values());
        params.addAll(head.parameters().values());
        Adam opt = Adam.builder(params).lr(0.02).build();
        int steps = 40;
        int chunk = 5;
        int[] seq = new int[steps + 1];
        for (int t = 0; t <= steps; t++) {
            seq[t] = (t * 3 + t / period) % period; // periodic with period 16 in the symbols
        }
        double firstEpoch = 0;
        double lastEpoch = 0;
        for (int epoch = 0; epoch < 30; epoch++) {
            lstm.resetState();
            double total = 0;
            for (int start = 0; start < steps; start += chunk) {
                Var x = oneHot(b, DType.FLOAT32, Arrays.copyOfRange(seq, start, start + chunk), period);
                int[] target = Arrays.copyOfRange(seq, start + 1, start + chunk + 1);
                params.forEach(Var::zeroGrad);
                Var out = lstm.forwardStateful(x); // carries state, cuts the graph at the chunk boundary
                Var logits = head.forward(F.reshape(out, chunk, 12));
                Var loss = Losses.crossEntropy(logits, target);
                loss.backward();
                opt.step();
                total += loss.value().item();
            }
            if (epoch == 0) {
                firstEpoch = total;
            }
            lastEpoch = total;
        }
        assertTrue(lastEpoch < 0.3 * firstEpoch, "truncated BPTT loss fell only from " + firstEpoch + " to " + lastEpoch);
    }

    @Test
    void classicModelCheckpointRoundTripAndBadFiles(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        ClassicCharRnn a = new ClassicCharRnn(4, 6, 3, b, DType.FLOAT32, 1);
        Path file = dir.resolve("classic.safetensors");
        Checkpoints.save(file, a);
        ClassicCharRnn c = new ClassicCharRnn(4, 6, 3, b, DType.FLOAT32, 2);
        Checkpoints.load(file, c);
        Var x = oneHot(b, DType.FLOAT32, new int[] {0, 2, 1}, 4);
        assertArrayEquals(a.forward(x).value().toFloatArray(), c.forward(x).value().toFloatArray());

        // truncated file
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 7));
        SafeTensorsFormatException t = assertThrows(SafeTensorsFormatException.class, () -> Checkpoints.load(truncated, c));
        assertTrue(t.getMessage().contains("truncated.safetensors"), t.getMessage());
        // corrupted header
        Path corrupt = dir.resolve("corrupt.safetensors");
        byte[] bad = bytes.clone();
        bad[8] = '#'; // the header's opening brace
        Files.write(corrupt, bad);
        assertThrows(SafeTensorsFormatException.class, () -> Checkpoints.load(corrupt, c));
        // another shape: names the tensor and both shapes; nothing changes
        ClassicCharRnn other = new ClassicCharRnn(4, 7, 3, b, DType.FLOAT32, 3);
        double[] before = other.parameters().get("i2h.weight").value().toDoubleArray();
        CheckpointMismatchException m = assertThrows(CheckpointMismatchException.class, () -> Checkpoints.load(file, other));
        assertTrue(m.getMessage().contains("i2h.weight") && m.getMessage().contains("[6, 10]") && m.getMessage().contains("[7, 11]"),
                m.getMessage());
        assertArrayEquals(before, other.parameters().get("i2h.weight").value().toDoubleArray());
        // another dtype
        if (b.supports(DType.FLOAT64)) {
            ClassicCharRnn f64 = new ClassicCharRnn(4, 6, 3, b, DType.FLOAT64, 3);
            CheckpointMismatchException d = assertThrows(CheckpointMismatchException.class, () -> Checkpoints.load(file, f64));
            assertTrue(d.getMessage().contains("F32") && d.getMessage().contains("F64"), d.getMessage());
        }
        // a missing tensor
        Var i2hWeight = a.parameters().get("i2h.weight");
        Module partial = new Module() {
            {
                registerModule("i2h", new Module() {
                    {
                        registerParameter("weight", i2hWeight);
                    }
                });
            }
        };
        Path partialFile = dir.resolve("partial.safetensors");
        Checkpoints.save(partialFile, partial);
        CheckpointMismatchException miss = assertThrows(CheckpointMismatchException.class, () -> Checkpoints.load(partialFile, c));
        assertTrue(miss.getMessage().contains("i2o.bias"), miss.getMessage());
        // a failed save leaves the previous checkpoint intact
        Module poisoned = new Module() {
            {
                registerParameter("__metadata__", i2hWeight);
            }
        };
        assertThrows(IllegalArgumentException.class, () -> Checkpoints.save(file, poisoned));
        assertArrayEquals(bytes, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "temp file left behind");
        }
    }

    @Test
    void maskedLossesIgnorePaddedSteps() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(21);
        int batch = 2;
        int steps = 4;
        int[] lengths = {4, 2};
        Recurrent gru = Recurrent.builder(Cells.gru(), 3, 5).backend(b).dtype(DType.FLOAT64).seed(2).build();
        Linear head = new Linear(5, 3, true, b, DType.FLOAT64, new java.util.SplittableRandom(3));
        Var x = Var.constant(GradCheck.random(b, rng, DType.FLOAT64, batch, steps, 3));
        int[] targets = {0, 1, 2, 1, 2, 0, 1, 1};
        Var target = Var.constant(GradCheck.random(b, rng, DType.FLOAT64, batch, steps, 5));
        // padded batch, masked losses
        Var out = gru.forward(x, lengths, null).output();
        Var ce = Losses.crossEntropy(head.forward(F.reshape(out, batch * steps, 5)),
                org.rnn4j.nn.Masks.maskTargets(targets, lengths, steps, -100),
                org.rnn4j.loss.CrossEntropyOptions.defaults().withReduction(org.rnn4j.loss.Reduction.SUM));
        Var mse = Losses.mse(out, target, org.rnn4j.nn.Masks.stepMask(b, DType.FLOAT64, lengths, steps, 5), org.rnn4j.loss.Reduction.SUM);
        F.add(ce, mse).backward();
        double total = F.add(ce, mse).value().item();
        Map<String, double[]> grads = new java.util.LinkedHashMap<>();
        gru.parameters().forEach((k, v) -> grads.put(k, v.grad().toDoubleArray()));
        gru.zeroGrad();
        head.zeroGrad();
        // each sequence alone, unpadded
        double sum = 0;
        for (int s = 0; s < batch; s++) {
            int len = lengths[s];
            Var xs = F.slice(F.slice(x, 0, s, s + 1), 1, 0, len);
            Var os = gru.forward(xs).output();
            Var ces = Losses.crossEntropy(head.forward(F.reshape(os, len, 5)), Arrays.copyOfRange(targets, s * steps, s * steps + len),
                    org.rnn4j.loss.CrossEntropyOptions.defaults().withReduction(org.rnn4j.loss.Reduction.SUM));
            Var mses = Losses.mse(os, F.slice(F.slice(target, 0, s, s + 1), 1, 0, len), org.rnn4j.loss.Reduction.SUM);
            Var l = F.add(ces, mses);
            l.backward();
            sum += l.value().item();
        }
        assertEquals(sum, total, 1e-10);
        for (Map.Entry<String, Var> e : gru.parameters().entrySet()) {
            Expect.close("masked loss grad " + e.getKey(), e.getValue().grad().toDoubleArray(), grads.get(e.getKey()), 1e-10);
        }
    }

    @Test
    void nonFiniteLossIsReportedBeforeAnyUpdate() {
        ComputeBackend b = backend();
        ClassicCharRnn model = new ClassicCharRnn(4, 5, 3, b, DType.FLOAT32, 9);
        Var w = model.parameters().get("i2o.bias");
        double[] nan = w.value().toDoubleArray();
        nan[1] = Double.NaN;
        w.set(b.fromDoubles(nan, DType.FLOAT32, w.shape()));
        double[] weightBefore = model.parameters().get("i2h.weight").value().toDoubleArray();
        Trainer trainer = new Trainer(model, SGD.builder(model.parameters().values()).lr(0.1).build());
        Var x = oneHot(b, DType.FLOAT32, new int[] {1, 2}, 4);
        NonFiniteException e = assertThrows(NonFiniteException.class, () -> trainer.step(() -> Losses.nll(model.forward(x), new int[] {0})));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("step 1"), e.getMessage());
        assertArrayEquals(weightBefore, model.parameters().get("i2h.weight").value().toDoubleArray());
        assertEquals(0, trainer.steps());
    }
}
