package org.rnn4j.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** STFT, filter bank, DCT, deltas and normalisation against independent direct computations. */
class FrontEndTest {

    private static double[] noise(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    /** Direct O(n^2) DFT power of each frame of the explicitly reflect-padded signal with the centred window. */
    private static double[][] naivePower(double[] x, int nFft, int win, int hop) {
        int pad = nFft / 2;
        double[] padded = new double[x.length + 2 * pad];
        for (int i = 0; i < padded.length; i++) {
            int j = i - pad;
            padded[i] = j < 0 ? x[-j] : j >= x.length ? x[2 * x.length - 2 - j] : x[j];
        }
        double[] w = new double[nFft];
        int left = (nFft - win) / 2;
        for (int n = 0; n < win; n++) {
            w[left + n] = Math.pow(Math.sin(Math.PI * n / win), 2); // periodic Hann, written differently
        }
        int frames = 1 + (padded.length - nFft) / hop;
        double[][] out = new double[frames][nFft / 2 + 1];
        for (int t = 0; t < frames; t++) {
            for (int k = 0; k <= nFft / 2; k++) {
                double re = 0;
                double im = 0;
                for (int n = 0; n < nFft; n++) {
                    double a = -2 * Math.PI * k * n / nFft;
                    double v = w[n] * padded[t * hop + n];
                    re += v * Math.cos(a);
                    im += v * Math.sin(a);
                }
                out[t][k] = re * re + im * im;
            }
        }
        return out;
    }

    private static double maxRel(double[][] a, double[][] b) {
        assertEquals(b.length, a.length, "frames");
        double num = 0;
        double den = 0;
        for (int t = 0; t < a.length; t++) {
            assertEquals(b[t].length, a[t].length, "columns");
            for (int k = 0; k < a[t].length; k++) {
                num += (a[t][k] - b[t][k]) * (a[t][k] - b[t][k]);
                den += b[t][k] * b[t][k];
            }
        }
        return Math.sqrt(num / den);
    }

    @ParameterizedTest
    @CsvSource({"256,200,80,1000", "64,64,16,300", "63,50,10,200", "45,45,7,100", "8,3,3,5"})
    void stftPowerEqualsDirectDft(int nFft, int win, int hop, int n) {
        double[] x = noise(n, nFft);
        Stft stft = new Stft(nFft, win, hop);
        double[][] p = stft.power(x);
        assertEquals(stft.frames(n), p.length);
        assertEquals(nFft / 2 + 1, stft.bins());
        double e = maxRel(p, naivePower(x, nFft, win, hop));
        assertTrue(e < 1e-12, "relative error " + e);
    }

    @Test
    void stftRejectsBadSettingsAndShortSignals() {
        assertThrows(IllegalArgumentException.class, () -> new Stft(1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Stft(64, 65, 16));
        assertThrows(IllegalArgumentException.class, () -> new Stft(64, 64, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Stft(64, 64, 16).power(new double[32]));
        assertTrue(e.getMessage().contains("32 samples") && e.getMessage().contains("nFft / 2 = 32"), e.getMessage());
    }

    @Test
    void melScaleAndFilterShapes() {
        for (double hz : new double[] {0, 100, 1000, 4000, 22050}) {
            assertEquals(hz, MelFilterBank.melToHz(MelFilterBank.hzToMel(hz)), 1e-9 * (1 + hz));
        }
        assertEquals(1000.0, MelFilterBank.hzToMel(1000), 0.05); // HTK: 1000 Hz is about 1000 mel
        MelFilterBank fb = MelFilterBank.htk(129, 0, 4000, 40, 8000);
        double[][] w = fb.weights();
        assertEquals(129, w.length);
        assertEquals(40, w[0].length);
        for (int m = 0; m < 40; m++) {
            double max = 0;
            int nonzero = 0;
            for (double[] row : w) {
                assertTrue(row[m] >= 0 && row[m] <= 1);
                max = Math.max(max, row[m]);
                nonzero += row[m] > 0 ? 1 : 0;
            }
            assertTrue(nonzero >= 1 && max > 0.3, "filter " + m + " is empty or too low: " + max);
        }
        // a filter whose centre falls on a bin peaks at exactly 1 there: check by an independent triangle
        double centre = MelFilterBank.melToHz(MelFilterBank.hzToMel(4000) * 20 / 41.0);
        double lo = MelFilterBank.melToHz(MelFilterBank.hzToMel(4000) * 19 / 41.0);
        double hi = MelFilterBank.melToHz(MelFilterBank.hzToMel(4000) * 21 / 41.0);
        for (int k = 0; k < 129; k++) {
            double f = 4000.0 * k / 128;
            double tri = f <= lo || f >= hi ? 0 : f <= centre ? (f - lo) / (centre - lo) : (hi - f) / (hi - centre);
            assertEquals(tri, w[k][19], 1e-12, "bin " + k);
        }
        assertThrows(IllegalArgumentException.class, () -> MelFilterBank.htk(129, 500, 400, 40, 8000));
        assertThrows(IllegalArgumentException.class, () -> fb.apply(new double[][] {new double[128]}));
    }

    @Test
    void dctOrthoIsOrthonormal() {
        int n = 12;
        double[][] d = Mfcc.dctOrtho(n, n);
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += d[i][a] * d[i][b];
                }
                assertEquals(a == b ? 1 : 0, dot, 1e-12);
            }
        }
        MelSpectrogram mel = MelSpectrogram.builder(8000).nFft(256).nMels(40).build();
        assertEquals(256, mel.stft().winLength());
        assertEquals(128, mel.stft().hopLength());
        assertEquals(4000.0, mel.fMax());
        assertThrows(IllegalArgumentException.class, () -> new Mfcc(mel, 41));
        // MFCC from a precomputed mel equals the direct path, and coefficient 0 is the scaled mean log-mel
        double[] x = noise(2000, 3);
        Mfcc mfcc = new Mfcc(mel, 13);
        double[][] m = mel.compute(x);
        double[][] c = mfcc.fromMel(m);
        double[][] direct = mfcc.compute(x);
        for (int t = 0; t < m.length; t++) {
            double s = 0;
            for (double v : m[t]) {
                s += Math.log(v + 1e-6);
            }
            assertEquals(s / Math.sqrt(40), c[t][0], 1e-10);
            assertEquals(c[t][5], direct[t][5], 0);
        }
    }

    /** torchaudio's compute_deltas written as its replicate-padded convolution. */
    private static double[][] referenceDeltas(double[][] x, int win) {
        int n = (win - 1) / 2;
        int frames = x.length;
        int width = x[0].length;
        double[][] padded = new double[frames + 2 * n][];
        for (int i = 0; i < padded.length; i++) {
            padded[i] = x[Math.min(Math.max(i - n, 0), frames - 1)];
        }
        double denom = 0;
        for (int k = -n; k <= n; k++) {
            denom += k * k;
        }
        double[][] out = new double[frames][width];
        for (int t = 0; t < frames; t++) {
            for (int f = 0; f < width; f++) {
                double s = 0;
                for (int j = 0; j < 2 * n + 1; j++) {
                    s += (j - n) * padded[t + j][f];
                }
                out[t][f] = s / denom;
            }
        }
        return out;
    }

    @Test
    void deltasMatchReplicatePaddedConvolution() {
        Random r = new Random(5);
        double[][] x = new double[9][4];
        for (double[] row : x) {
            for (int f = 0; f < row.length; f++) {
                row[f] = r.nextGaussian();
            }
        }
        for (int win : new int[] {3, 5, 7, 9, 21}) {
            assertTrue(maxRel(Features.deltas(x, win), referenceDeltas(x, win)) < 1e-14, "win " + win);
        }
        // a ramp of slope 2 has delta 2 away from the edges
        double[][] ramp = new double[10][1];
        for (int t = 0; t < 10; t++) {
            ramp[t][0] = 2 * t + 1;
        }
        double[][] d = Features.deltas(ramp);
        for (int t = 2; t < 8; t++) {
            assertEquals(2.0, d[t][0], 1e-12);
        }
        assertEquals((1 * (3 - 1) + 2 * (5 - 1)) / 10.0, d[0][0], 1e-12); // t=0: x[-1] = x[-2] = x[0]
        double[][] single = Features.deltas(new double[][] {{3, 4}});
        assertEquals(0, single[0][0]);
        assertThrows(IllegalArgumentException.class, () -> Features.deltas(x, 4));
        assertThrows(IllegalArgumentException.class, () -> Features.deltas(x, 1));
        assertThrows(IllegalArgumentException.class, () -> Features.deltas(new double[][] {{1, 2}, {3}}));
    }

    @Test
    void normalizeGivesZeroMeanUnitVariancePerFeature() {
        Random r = new Random(8);
        double[][] x = new double[50][3];
        for (double[] row : x) {
            row[0] = 5 + 3 * r.nextGaussian();
            row[1] = -2 + 0.01 * r.nextGaussian();
            row[2] = 7; // constant
        }
        double[][] y = Features.normalize(x);
        for (int f = 0; f < 2; f++) {
            double mean = 0;
            double sq = 0;
            for (double[] row : y) {
                mean += row[f];
                sq += row[f] * row[f];
            }
            assertEquals(0, mean / 50, 1e-12);
            assertEquals(1, sq / 50, 1e-5); // eps 1e-10 against a variance of 1e-4
        }
        for (double[] row : y) {
            assertEquals(0, row[2]);
        }
        // the transform is affine per column: check one element against mean and std computed here
        double m = 0;
        for (double[] row : x) {
            m += row[0];
        }
        m /= 50;
        double v = 0;
        for (double[] row : x) {
            v += (row[0] - m) * (row[0] - m);
        }
        assertEquals((x[7][0] - m) / Math.sqrt(v / 50 + Features.NORMALIZE_EPS), y[7][0], 1e-12);
        double[][] joined = Features.concat(x, y);
        assertEquals(6, joined[0].length);
        assertEquals(y[3][1], joined[3][4]);
        assertThrows(IllegalArgumentException.class, () -> Features.concat(x, new double[3][2]));
        assertThrows(IllegalArgumentException.class, () -> Features.normalize(new double[0][]));
    }
}
