package org.rnn4j.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.testing.RefBackend.Golden;

/** The audio_8k golden case: torchaudio 0.13 MelSpectrogram and MFCC computed by PyTorch in float64. */
class AudioFeaturesGoldenTest {
    /** The issue asks for 1e-6; float64 reaches ~2e-15 (measured), so hold it to the suite's float64 bar. */
    private static final double TOL = 1e-10;

    private static Mfcc fromCase(Golden g) {
        assertEquals("hann (periodic)", g.meta("window"));
        assertEquals("true", g.meta("center"));
        assertEquals("reflect", g.meta("pad_mode"));
        assertEquals("htk", g.meta("mel_scale"));
        assertEquals("none", g.meta("mel_norm"));
        assertEquals(2.0, Double.parseDouble(g.meta("power")));
        int sr = Integer.parseInt(g.meta("sample_rate"));
        MelSpectrogram mel = MelSpectrogram.builder(sr).nFft(Integer.parseInt(g.meta("n_fft")))
                .winLength(Integer.parseInt(g.meta("win_length"))).hopLength(Integer.parseInt(g.meta("hop_length")))
                .nMels(Integer.parseInt(g.meta("n_mels"))).fMin(0).fMax(sr / 2.0).build();
        return new Mfcc(mel, Integer.parseInt(g.meta("n_mfcc")));
    }

    private static double[] flat(double[][] m) {
        int w = m[0].length;
        double[] out = new double[m.length * w];
        for (int t = 0; t < m.length; t++) {
            System.arraycopy(m[t], 0, out, t * w, w);
        }
        return out;
    }

    @Test
    void melAndMfccMatchTorchaudio() {
        Golden g = Golden.load("audio_8k");
        Mfcc mfcc = fromCase(g);
        double[] signal = g.doubles("signal");
        double[][] mel = mfcc.melSpectrogram().compute(signal);
        assertArrayEquals(g.shape("mel"), new int[] {mel.length, mel[0].length});
        assertEquals(mel.length, mfcc.melSpectrogram().frames(signal.length));
        double eMel = Tensors.relativeError(flat(mel), g.doubles("mel"));
        assertTrue(eMel < TOL, "mel relative error " + eMel);
        double[][] c = mfcc.compute(signal);
        assertArrayEquals(g.shape("mfcc"), new int[] {c.length, c[0].length});
        double eMfcc = Tensors.relativeError(flat(c), g.doubles("mfcc"));
        assertTrue(eMfcc < TOL, "mfcc relative error " + eMfcc);
    }
}
