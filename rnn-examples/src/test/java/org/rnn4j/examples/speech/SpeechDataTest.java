package org.rnn4j.examples.speech;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rnn4j.audio.Features;
import org.rnn4j.audio.MelSpectrogram;
import org.rnn4j.audio.Mfcc;

/** The bundled recordings, the features computed from them and the digit strings joined from them. */
class SpeechDataTest {
    static List<Fsdd.Recording> few;

    @BeforeAll
    static void read() {
        few = Fsdd.bundled(k -> k.index() < 3 && (k.speaker().equals("theo") || k.speaker().equals("lucas")));
    }

    @Test
    void theBundleHoldsTheRecordingsAsked() {
        assertEquals(2 * 10 * 3, few.size());
        for (Fsdd.Recording r : few) {
            assertTrue(r.key().test(), r.key().toString());
            assertTrue(r.samples().length > 1000 && r.samples().length < 8000 * 3, r.key() + " has " + r.samples().length + " samples");
        }
        assertEquals(new Fsdd.Key(7, "theo", 12), Fsdd.parse("7_theo_12.wav"));
        assertEquals(null, Fsdd.parse("7_theo.wav"));
    }

    @Test
    void featuresAreTheNormalisedMfccsWithDeltasStackedThreeFramesPerStep() {
        double[] x = few.get(0).samples();
        SpeechFeatures f = SpeechFeatures.DEFAULT;
        float[][] got = f.compute(x);
        // the same pipeline written out with the audio package
        Mfcc mfcc = new Mfcc(MelSpectrogram.builder(8000).nFft(256).winLength(200).hopLength(80).nMels(40).build(), 20);
        double[][] c = mfcc.compute(x);
        double[][] d1 = Features.deltas(c, 5);
        double[][] all = Features.normalize(Features.concat(c, d1, Features.deltas(d1, 5)));
        assertEquals((all.length + 2) / 3, got.length);
        assertEquals(f.steps(x.length), got.length);
        assertEquals(180, got[0].length);
        for (int t = 0; t < all.length; t++) {
            for (int j = 0; j < 60; j++) {
                assertEquals(all[t][j], got[t / 3][(t % 3) * 60 + j], 1e-5, "frame " + t + ", feature " + j);
            }
        }
        for (int t = all.length; t < 3 * got.length; t++) {
            for (int j = 0; j < 60; j++) {
                assertEquals(0f, got[t / 3][(t % 3) * 60 + j], "padding of the last step");
            }
        }
    }

    @Test
    void featureSettingsTravelAsMetadata() {
        SpeechFeatures f = new SpeechFeatures(16000, 512, 400, 160, 64, 13, 2);
        assertEquals(f, SpeechFeatures.fromMetadata(f.toMetadata(), "m"));
        Map<String, String> broken = new java.util.HashMap<>(f.toMetadata());
        broken.remove("features.stack");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpeechFeatures.fromMetadata(broken, "m.safetensors"));
        assertTrue(e.getMessage().contains("m.safetensors") && e.getMessage().contains("features.stack"), e.getMessage());
    }

    @Test
    void stringsJoinDistinctRecordingsOfOneSpeakerWithShortGaps() {
        List<DigitStrings.Joined> strings = DigitStrings.generate(few, 50, 8000, 9);
        assertEquals(strings.size(), 50);
        Set<Integer> lengths = new HashSet<>();
        for (DigitStrings.Joined j : strings) {
            String[] parts = j.name().split("\\+");
            assertTrue(parts.length >= 2 && parts.length <= 5, j.name());
            assertEquals(parts.length, j.digits().length);
            lengths.add(parts.length);
            assertEquals(parts.length, new HashSet<>(List.of(parts)).size(), "distinct recordings: " + j.name());
            double[] joined = j.samples();
            int pos = 0;
            for (int k = 0; k < parts.length; k++) {
                Fsdd.Key key = Fsdd.parse(parts[k] + ".wav");
                assertNotNull(key, parts[k]);
                assertEquals(j.speaker(), key.speaker(), "one speaker per string: " + j.name());
                assertEquals(key.digit(), j.digits()[k]);
                double[] s = few.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow().samples();
                // the recording appears unchanged, after a gap within the bounds
                int at = find(joined, s, pos);
                int gap = at - pos;
                double max = (k == 0 ? DigitStrings.EDGE_MAX : DigitStrings.GAP_MAX) * 8000 + 1;
                double min = k == 0 ? 0 : DigitStrings.GAP_MIN * 8000 - 1;
                assertTrue(gap >= min && gap <= max, "gap " + gap + " before part " + k + " of " + j.name());
                pos = at + s.length;
            }
            assertTrue(joined.length - pos <= DigitStrings.EDGE_MAX * 8000 + 1, "trailing silence of " + j.name());
        }
        assertEquals(Set.of(2, 3, 4, 5), lengths, "every length from 2 to 5 occurs in 50 strings");
        List<DigitStrings.Joined> again = DigitStrings.generate(few, 50, 8000, 9);
        for (int i = 0; i < 50; i++) {
            assertEquals(strings.get(i).name(), again.get(i).name());
            assertArrayEquals(strings.get(i).samples(), again.get(i).samples(), "seeded: the same strings again");
        }
        assertTrue(!strings.get(0).name().equals(DigitStrings.generate(few, 1, 8000, 10).get(0).name())
                || !strings.get(1).name().equals(DigitStrings.generate(few, 2, 8000, 10).get(1).name()), "another seed, other strings");
    }

    @Test
    void gapsCarryNoiseAtTheLevelOfTheQuietestFrames() {
        double[] quiet = new double[800];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < quiet.length; i++) {
            quiet[i] = (i < 400 ? 0.5 : 0.002) * rng.nextGaussian();
        }
        double floor = DigitStrings.noiseFloor(quiet, 8000);
        assertTrue(floor > 0.001 && floor < 0.003, "floor " + floor);
        assertEquals(1e-5, DigitStrings.noiseFloor(new double[100], 8000), 0.0);
    }

    @Test
    void aSpeakerWithOneRecordingCannotMakeAString() {
        List<Fsdd.Recording> one = List.of(few.get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DigitStrings.generate(one, 3, 8000, 1));
        assertTrue(e.getMessage().contains(few.get(0).speaker()), e.getMessage());
    }

    /** The first index at or after {@code from} where {@code part} occurs in {@code whole}. */
    private static int find(double[] whole, double[] part, int from) {
        outer:
        for (int i = from; i + part.length <= whole.length; i++) {
            for (int k = 0; k < part.length; k++) {
                if (whole[i + k] != part[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("part not found after " + from);
    }
}
