package org.rnn4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.rnn4j.testing.RefBackend.Golden;

/** BLEU against nltk's golden value and hand-derived cases; error rates against the recursive definition of edit distance. */
class SequenceMetricsTest {

    private static List<String> strings(String json) {
        List<String> out = new ArrayList<>();
        JsonParser.parseString(json).getAsJsonArray().forEach(e -> out.add(e.getAsString()));
        return out;
    }

    @Test
    void bleuMatchesNltkGoldenCase() {
        Golden g = Golden.load("bleu_corpus");
        double bleu = Bleu.corpus(strings(g.meta("hypotheses")), strings(g.meta("references")));
        assertEquals(g.doubles("bleu")[0], bleu, 1e-15);
    }

    @Test
    void bleuByHand() {
        // p1..p4 = 4/5, 3/4, 2/3, 1/2; hypothesis 5 tokens, reference 6: BP = exp(1 - 6/5)
        Bleu b = new Bleu();
        b.update("a b c d e", "a b c d f g");
        assertEquals(Math.exp(1 - 6.0 / 5) * Math.pow(0.8 * 0.75 * (2.0 / 3) * 0.5, 0.25), b.compute(), 1e-15);
        // a second sentence "x y" vs "x y z" is summed into the counts before dividing: its trigram and 4-gram
        // denominators count max(1, 0) = 1, so p = 6/7, 4/5, 2/4, 1/3 and BP = exp(1 - 9/7)
        b.update("x y", "x y z");
        assertEquals(2, b.matches(3));
        assertEquals(4, b.candidates(3));
        assertEquals(Math.exp(1 - 9.0 / 7) * Math.pow(6.0 / 7 * 0.8 * 0.5 / 3, 0.25), b.compute(), 1e-15);
        // Papineni's clipping example: "the" x7 against two references: unigram precision 2/7, closest length 7
        Bleu c = new Bleu();
        c.update(Bleu.tokenize("the the the the the the the"),
                List.of(Bleu.tokenize("the cat is on the mat"), Bleu.tokenize("there is a cat on the mat")));
        assertEquals(2, c.matches(1));
        assertEquals(7, c.candidates(1));
        assertEquals(1.0, c.brevityPenalty(), 0);
        // no bigram match: nltk uses log(sys.float_info.min) for that order (not 0)
        assertEquals(Math.exp(0.25 * (Math.log(2.0 / 7) + 3 * Math.log(Double.MIN_NORMAL))), c.compute(), 1e-240);
        // no unigram match, or an empty hypothesis: 0
        Bleu d = new Bleu();
        d.update("", "a b");
        assertEquals(0, d.compute(), 0);
        assertThrows(IllegalStateException.class, () -> new Bleu().compute());
        assertThrows(IllegalArgumentException.class, () -> new Bleu().update(List.of("a"), List.of()));
        assertEquals(List.of("a", "b"), Bleu.tokenize("  a \t b\n"));
    }

    /** The edit distance by its recursive definition (exponential, for short inputs only). */
    private static int naive(int[] a, int i, int[] b, int j) {
        if (i == a.length) {
            return b.length - j;
        }
        if (j == b.length) {
            return a.length - i;
        }
        int sub = naive(a, i + 1, b, j + 1) + (a[i] == b[j] ? 0 : 1);
        return Math.min(sub, Math.min(naive(a, i + 1, b, j) + 1, naive(a, i, b, j + 1) + 1));
    }

    @Test
    void editDistanceMatchesTheRecursiveDefinition() {
        Random r = new Random(13);
        for (int t = 0; t < 300; t++) {
            int[] a = r.ints(r.nextInt(7), 0, 3).toArray();
            int[] b = r.ints(r.nextInt(7), 0, 3).toArray();
            assertEquals(naive(a, 0, b, 0), ErrorRate.distance(a, b));
            assertEquals(ErrorRate.distance(a, b), ErrorRate.distance(b, a));
        }
    }

    @Test
    void errorRatesSumEditsOverReferenceLength() {
        ErrorRate wer = ErrorRate.words();
        wer.update("the cat sit on", "the cat sat"); // 1 substitution + 1 insertion over 3 words
        wer.update("hello", "hello big world"); // 2 deletions over 3 words
        assertEquals(4.0 / 6, wer.compute(), 1e-15);
        assertEquals("wer", wer.name());
        ErrorRate cer = ErrorRate.characters();
        cer.update("kitten", "sitting"); // 3 edits over 7
        cer.update("héllo", "hello"); // 1 over 5 (code points)
        cer.update("𝄞a", "𝄞"); // 1 insertion over 1 code point (2 UTF-16 units)
        assertEquals(5.0 / 13, cer.compute(), 1e-15);
        ErrorRate ids = ErrorRate.characters();
        ids.update(new int[] {1, 2, 3}, new int[] {1, 3});
        assertEquals(0.5, ids.compute(), 0);
        ErrorRate empty = ErrorRate.words();
        empty.update("a b", "");
        assertEquals(2, empty.edits());
        assertThrows(IllegalStateException.class, empty::compute);
    }
}
