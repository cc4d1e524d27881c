package org.rnn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.Losses;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.testing.RefBackend;

class CollateTest {
    private static final RefBackend B = RefBackend.INSTANCE;

    private static List<int[]> randomSequences(SplittableRandom r, int count, int maxLength) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(r.ints(r.nextInt(1, maxLength + 1), 0, 50).toArray());
        }
        return out;
    }

    @Test
    void paddingAndLengthsAreExact() {
        SplittableRandom r = new SplittableRandom(1);
        List<int[]> seqs = randomSequences(r, 9, 12);
        PaddedSequences p = Collate.pad(seqs, 7);
        int longest = seqs.stream().mapToInt(s -> s.length).max().getAsInt();
        assertEquals(9, p.batchSize());
        assertEquals(longest, p.steps());
        assertEquals(7, p.padValue());
        int[] flat = p.flat();
        for (int b = 0; b < 9; b++) {
            assertEquals(seqs.get(b).length, p.lengths()[b]);
            for (int t = 0; t < longest; t++) {
                int expected = t < seqs.get(b).length ? seqs.get(b)[t] : 7;
                assertEquals(expected, p.values()[b][t], "b " + b + " t " + t);
                assertEquals(expected, flat[b * longest + t]);
            }
        }
        assertFalse(p.full());
        assertTrue(Collate.pad(List.of(new int[] {1, 2}, new int[] {3, 4}), 0).full());
    }

    @Test
    void fixedLengthPaddingAndItsErrors() {
        PaddedSequences p = Collate.pad(List.of(new int[] {1}, new int[] {}), -1, 3);
        assertArrayEquals(new int[][] {{1, -1, -1}, {-1, -1, -1}}, p.values());
        assertArrayEquals(new int[] {1, 0}, p.lengths());
        fails(() -> Collate.pad(List.of(new int[] {1, 2}, new int[] {1, 2, 3, 4}), 0, 3), "sequences[1] has 4 steps, more than steps = 3");
        fails(() -> Collate.pad(List.of(), 0), "sequences is empty");
        fails(() -> Collate.pad(Arrays.asList(new int[] {1}, null), 0), "sequences[1] is null");
        fails(() -> new PaddedSequences(new int[][] {{1, 2}, {3}}, new int[] {2, 1}, 0), "values[1] has 1 steps, expected 2");
        fails(() -> new PaddedSequences(new int[][] {{1, 2}}, new int[] {3}, 0), "lengths[0] = 3");
    }

    @Test
    void paddedTargetsAddNothingToTheLoss() {
        // oracle: the mean cross-entropy over the real steps only, computed on a batch without padding
        SplittableRandom r = new SplittableRandom(2);
        int classes = 5;
        List<int[]> targets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            targets.add(r.ints(r.nextInt(1, 7), 0, classes).toArray());
        }
        PaddedSequences p = Collate.padTargets(targets);
        assertEquals(-100, p.padValue());
        int rows = p.batchSize() * p.steps();
        double[] logits = r.doubles(rows * classes, -2, 2).toArray();
        double padded = Losses.crossEntropy(Var.constant(B.fromDoubles(logits, DType.FLOAT64, rows, classes)), p.flat()).value().item();
        List<Integer> realRows = new ArrayList<>();
        for (int b = 0; b < p.batchSize(); b++) {
            for (int t = 0; t < p.lengths()[b]; t++) {
                realRows.add(b * p.steps() + t);
            }
        }
        double[] sub = new double[realRows.size() * classes];
        int[] subTargets = new int[realRows.size()];
        for (int k = 0; k < realRows.size(); k++) {
            System.arraycopy(logits, realRows.get(k) * classes, sub, k * classes, classes);
            subTargets[k] = p.flat()[realRows.get(k)];
        }
        double real = Losses.crossEntropy(Var.constant(B.fromDoubles(sub, DType.FLOAT64, realRows.size(), classes)), subTargets).value().item();
        assertEquals(real, padded, 1e-12);
    }

    record Named(String name, int label) {
    }

    @Test
    void collateFunctionsForLoaders() {
        Vocabulary v = Vocabulary.characters().pad().build(List.of("abc", "de"));
        List<Named> examples = List.of(new Named("abc", 1), new Named("d", 0), new Named("ed", 2));
        Collate.Labeled batch = Collate.labeled((Named n) -> v.encode(n.name()), Named::label, v.padId()).apply(examples);
        assertArrayEquals(new int[] {1, 0, 2}, batch.labels());
        assertEquals(3, batch.batchSize());
        assertArrayEquals(new int[] {3, 1, 2}, batch.inputs().lengths());
        assertEquals("abc", v.decode(batch.inputs().values()[0]));
        assertEquals("d", v.decode(batch.inputs().values()[1], true));
        assertArrayEquals(new int[] {v.idOfCodePoint('d'), 0, 0}, batch.inputs().values()[1]);
        PaddedSequences ids = Collate.padding((Named n) -> v.encode(n.name()), v.padId()).apply(examples);
        assertArrayEquals(batch.inputs().values(), ids.values());
        fails(() -> new Collate.Labeled(ids, new int[2]), "labels has 2 entries, expected one per sequence (3)");
    }

    @Test
    void featureSequencesPadIntoBTFTensors() {
        SplittableRandom r = new SplittableRandom(3);
        int features = 4;
        List<float[][]> seqs = new ArrayList<>();
        for (int len : new int[] {3, 6, 1}) {
            float[][] s = new float[len][features];
            for (float[] frame : s) {
                for (int f = 0; f < features; f++) {
                    frame[f] = (float) r.nextGaussian();
                }
            }
            seqs.add(s);
        }
        PaddedFeatures p = Collate.padFeatures(seqs, -9f);
        assertEquals(3, p.batchSize());
        assertEquals(6, p.steps());
        assertEquals(features, p.features());
        assertArrayEquals(new int[] {3, 6, 1}, p.lengths());
        Tensor t = p.toTensor(B, DType.FLOAT32);
        assertArrayEquals(new int[] {3, 6, features}, t.shape());
        float[] data = t.toFloatArray();
        Tensor mask = p.mask(B, DType.FLOAT64, 1);
        assertArrayEquals(new int[] {3, 6, 1}, mask.shape());
        double[] m = mask.toDoubleArray();
        for (int b = 0; b < 3; b++) {
            for (int s = 0; s < 6; s++) {
                boolean real = s < seqs.get(b).length;
                assertEquals(real ? 1.0 : 0.0, m[b * 6 + s]);
                for (int f = 0; f < features; f++) {
                    float expected = real ? seqs.get(b)[s][f] : -9f;
                    assertEquals(expected, data[(b * 6 + s) * features + f], "b " + b + " t " + s + " f " + f);
                    assertEquals(expected, p.get(b, s, f));
                }
            }
        }
        double[][] d = {{0.1, 0.2}, {0.3, 0.4}};
        PaddedFeatures pd = Collate.padDoubleFeatures(List.of(d, new double[][] {{1e-300, 2}}), 0);
        assertEquals(0.1, pd.get(0, 0, 0)); // kept in full precision
        assertEquals(1e-300, pd.get(1, 0, 0));
        assertEquals(0.0, pd.get(1, 1, 1));
    }

    @Test
    void featureErrorsNameTheFrame() {
        fails(() -> Collate.padFeatures(List.<float[][]>of(new float[][] {{1, 2}}, new float[][] {{1, 2}, {3}}), 0),
                "sequences[1][1] has 1 features but earlier frames have 2");
        fails(() -> Collate.padFeatures(List.<float[][]>of(new float[][] {{1, Float.NaN}}), 0), "sequences[0][0][1] = NaN");
        fails(() -> Collate.padFeatures(List.<float[][]>of(new float[][] {{}}), 0), "sequences[0][0] has 0 features");
        fails(() -> Collate.padFeatures(List.<float[][]>of(new float[0][]), 0), "every sequence is empty");
        fails(() -> Collate.padFeatures(List.<float[][]>of(), 0), "sequences is empty");
        fails(() -> Collate.padFeatures(List.<float[][]>of(new float[][] {null}), 0), "sequences[0][0] (a frame) is null");
        fails(() -> new PaddedFeatures(new double[5], 1, 2, 3, new int[] {1}), "data has 5 values, expected B*T*F = 1*2*3");
    }

    static void fails(Executable r, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
