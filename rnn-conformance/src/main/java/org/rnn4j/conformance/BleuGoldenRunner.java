package org.rnn4j.conformance;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import org.rnn4j.metrics.Bleu;

/**
 * Runs a {@code bleu} golden case: corpus BLEU of the metadata's {@code hypotheses} and {@code references}
 * (JSON lists of sentences, one reference each, whitespace tokens) against nltk's {@code corpus_bleu} value
 * in the tensor {@code bleu}. BLEU is computed on the host in double, so the backend and dtype do not enter
 * and the float64 tolerance applies.
 */
public final class BleuGoldenRunner {
    private BleuGoldenRunner() {
    }

    /** Runs the case. */
    public static void run(GoldenCase c) {
        if (!"4".equals(c.meta("max_order", "4")) || !"none".equals(c.meta("smoothing", "none"))) {
            throw new AssertionError("golden case " + c.name() + ": only max_order 4 without smoothing is supported, got max_order "
                    + c.meta("max_order", "4") + ", smoothing " + c.meta("smoothing", "none"));
        }
        List<String> hyps = strings(c.meta("hypotheses"));
        List<String> refs = strings(c.meta("references"));
        double bleu = Bleu.corpus(hyps, refs);
        Expect.close(c.name() + " bleu", new double[] {bleu}, c.doubles("bleu"), Expect.F64);
    }

    private static List<String> strings(String json) {
        JsonArray a = JsonParser.parseString(json).getAsJsonArray();
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsString()));
        return out;
    }
}
