package org.rnn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.data.CollateTest.fails;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.testing.RefBackend;

/** Sliding windows over a series, truncated-BPTT token streams and the Dataset helpers. */
class SequenceDataTest {

    @Test
    void univariateWindowsHoldExactlyTheirSteps() {
        double[] series = new SplittableRandom(4).doubles(40, -5, 5).toArray();
        for (int[] c : new int[][] {{5, 1, 1}, {7, 3, 2}, {12, 4, 5}, {39, 1, 1}}) {
            int window = c[0];
            int horizon = c[1];
            int stride = c[2];
            SlidingWindows w = SlidingWindows.of(series, window, horizon, stride);
            int count = (40 - window - horizon) / stride + 1;
            assertEquals(count, w.size());
            // the last window fits, one more would not
            assertTrue(w.start(count - 1) + window + horizon <= 40);
            assertTrue((long) count * stride + window + horizon > 40);
            SlidingWindows.Batch all = w.all();
            assertEquals(count, all.size());
            for (int i = 0; i < count; i++) {
                SlidingWindows.Window x = w.get(i);
                assertEquals(i * stride, x.start());
                for (int t = 0; t < window; t++) {
                    assertEquals(series[i * stride + t], x.inputs()[t][0]);
                    assertEquals(series[i * stride + t], all.inputs()[i * window + t]);
                }
                for (int h = 0; h < horizon; h++) {
                    assertEquals(series[i * stride + window + h], x.targets()[h][0]);
                    assertEquals(series[i * stride + window + h], all.targets()[i * horizon + h]);
                }
            }
        }
    }

    @Test
    void windowsReproduceTheForecastExample() {
        // rnn-examples' forecast: inputs z[t-W .. t-1], target z[t], for t in [W+1, train)
        double[] z = new SplittableRandom(5).doubles(60).toArray();
        int window = 12;
        int train = 50;
        int count = train - 1 - window;
        double[] x = new double[count * window];
        double[] target = new double[count];
        for (int i = 0; i < count; i++) {
            int t = window + 1 + i;
            System.arraycopy(z, t - window, x, i * window, window);
            target[i] = z[t];
        }
        SlidingWindows.Batch b = SlidingWindows.of(java.util.Arrays.copyOfRange(z, 1, train), window, 1, 1).all();
        assertEquals(count, b.size());
        assertArrayEquals(x, b.inputs());
        assertArrayEquals(target, b.targets());
        Tensor in = b.inputTensor(RefBackend.INSTANCE, DType.FLOAT64);
        assertArrayEquals(new int[] {count, window, 1}, in.shape());
        assertArrayEquals(x, in.toDoubleArray());
        assertArrayEquals(new int[] {count, 1, 1}, b.targetTensor(RefBackend.INSTANCE, DType.FLOAT32).shape());
    }

    @Test
    void multivariateWindowsWithTargetColumns() {
        double[][] s = new double[20][3];
        for (int t = 0; t < 20; t++) {
            for (int f = 0; f < 3; f++) {
                s[t][f] = 100 * t + f;
            }
        }
        SlidingWindows w = SlidingWindows.of(s, 4, 2, 3, 2, 0);
        assertEquals(3, w.features());
        assertEquals(2, w.targetFeatures());
        assertEquals(5, w.size());
        SlidingWindows.Window x = w.get(2);
        assertArrayEquals(new double[] {600, 601, 602}, x.inputs()[0]);
        assertArrayEquals(new double[] {900, 901, 902}, x.inputs()[3]);
        assertArrayEquals(new double[][] {{1002, 1000}, {1102, 1100}}, x.targets());
        s[6][0] = -1; // the windows copied the series
        assertEquals(600, w.get(2).inputs()[0][0]);
        SlidingWindows.Batch b = SlidingWindows.collate(List.of(w.get(0), w.get(2)));
        Tensor tg = b.targetTensor(RefBackend.INSTANCE, DType.FLOAT64);
        assertArrayEquals(new int[] {2, 2, 2}, tg.shape());
        assertArrayEquals(new double[] {402, 400, 502, 500, 1002, 1000, 1102, 1100}, tg.toDoubleArray());
        assertArrayEquals(new int[] {2, 4, 3}, b.inputTensor(RefBackend.INSTANCE, DType.FLOAT64).shape());
        assertEquals(3, SlidingWindows.of(s, 4, 2, 3).targetFeatures());
    }

    @Test
    void windowErrors() {
        double[] s = new double[10];
        fails(() -> SlidingWindows.of(s, 0, 1, 1), "window = 0");
        fails(() -> SlidingWindows.of(s, 2, 0, 1), "horizon = 0");
        fails(() -> SlidingWindows.of(s, 2, 1, 0), "stride = 0");
        fails(() -> SlidingWindows.of(s, 8, 3, 1), "series has 10 steps, fewer than window + horizon = 8 + 3 = 11");
        fails(() -> SlidingWindows.of(new double[] {1, 2, Double.NaN, 4}, 1, 1, 1), "series[2][0] = NaN");
        fails(() -> SlidingWindows.of(new double[][] {{1, 2}, {3}}, 1, 1, 1), "series[1] has 1 features but series[0] has 2");
        fails(() -> SlidingWindows.of(new double[][] {{1, 2}, {3, 4}}, 1, 1, 1, 2), "targetColumns[0] = 2");
        fails(() -> SlidingWindows.collate(List.of()), "windows is empty");
        assertThrows(IndexOutOfBoundsException.class, () -> SlidingWindows.of(s, 2, 1, 1).get(8));
    }

    @Test
    void tokenStreamsCutTheTextIntoContiguousStreams() {
        int n = 1000;
        int[] ids = new SplittableRandom(6).ints(n, 0, 30).toArray();
        int batch = 4;
        int steps = 7;
        TokenStreams s = new TokenStreams(ids, batch, steps);
        int length = (n - 1) / batch;
        assertEquals(length, s.streamLength());
        assertEquals(length / steps, s.size());
        assertEquals(s.size(), s.stepsPerEpoch());
        int[] in = new int[batch * steps];
        int[] tg = new int[batch * steps];
        for (long step = 0; step < 2L * s.size(); step++) {
            s.fill(step, in, tg);
            int k = (int) (step % s.size());
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    // stream b is ids[b*L, (b+1)*L); chunk k reads its steps [k*T, (k+1)*T)
                    assertEquals(ids[b * length + k * steps + t], in[b * steps + t]);
                    assertEquals(ids[b * length + k * steps + t + 1], tg[b * steps + t]);
                }
            }
            assertEquals(step / s.size(), s.epoch(step));
            assertEquals(k == 0, s.startsEpoch(step));
            if (step < s.size()) {
                TokenStreams.Chunk c = s.get(k);
                assertArrayEquals(in, c.inputs());
                assertArrayEquals(tg, c.targets());
            }
        }
        // consecutive chunks continue every stream: the last target of one chunk is the first input of the next
        TokenStreams.Chunk a = s.get(3);
        TokenStreams.Chunk b = s.get(4);
        for (int st = 0; st < batch; st++) {
            assertEquals(a.targets()[st * steps + steps - 1], b.inputs()[st * steps]);
        }
    }

    @Test
    void tokenStreamsAsALoaderDataset() {
        int[] ids = new SplittableRandom(7).ints(200, 0, 9).toArray();
        TokenStreams s = new TokenStreams(ids, 3, 5);
        try (DataLoader<TokenStreams.Chunk, TokenStreams.Chunk> l = DataLoader.builder(s, list -> list.get(0)).prefetch(2).build()) {
            List<TokenStreams.Chunk> epoch = DataLoaderTest.take(l, s.size());
            for (int k = 0; k < s.size(); k++) {
                assertArrayEquals(s.get(k).inputs(), epoch.get(k).inputs());
            }
        }
    }

    @Test
    void tokenStreamErrors() {
        assertTrue(TokenStreams.fits(11, 2, 5));
        assertFalse(TokenStreams.fits(10, 2, 5));
        fails(() -> new TokenStreams(new int[10], 2, 5), "ids has 10 entries; 2 streams of 5 steps need at least batch * steps + 1 = 11");
        fails(() -> new TokenStreams(new int[10], 0, 5), "batch = 0");
        fails(() -> new TokenStreams(new int[10], 1, 0), "steps = 0");
        TokenStreams s = new TokenStreams(new int[11], 2, 5);
        fails(() -> s.fill(0, new int[9], new int[10]), "inputs has 9 and targets 10 entries, expected batch * steps = 10");
        fails(() -> s.epoch(-1), "step = -1");
    }

    @Test
    void datasetHelpers() {
        Dataset<String> d = Dataset.of("a", "b", "c", "d");
        assertEquals(4, d.size());
        Dataset<String> upper = d.map(String::toUpperCase);
        assertEquals("C", upper.get(2));
        Dataset<String> sub = upper.subset(3, 0, 3);
        assertEquals(List.of("D", "A", "D"), sub.toList());
        fails(() -> d.subset(0, 4), "indices[1] = 4 is outside the dataset's range [0, 4)");
        assertThrows(IndexOutOfBoundsException.class, () -> sub.get(3));
        assertThrows(IndexOutOfBoundsException.class, () -> d.get(-1));
        List<Integer> source = new ArrayList<>(List.of(1, 2));
        Dataset<Integer> copy = Dataset.of(source);
        source.add(3);
        assertEquals(2, copy.size());
        fails(() -> Dataset.of(java.util.Arrays.asList(1, null)), "items[1] is null");
        Dataset<Integer> squares = Dataset.generate(5, i -> i * i);
        assertEquals(List.of(0, 1, 4, 9, 16), squares.toList());
        assertThrows(IndexOutOfBoundsException.class, () -> squares.get(5));
        fails(() -> Dataset.generate(-1, i -> i), "size = -1");
    }
}
