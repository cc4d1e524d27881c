package org.rnn4j.examples.names;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.rnn4j.examples.data.NamesData.Example;
import org.rnn4j.examples.data.Vocabulary;

/** Batching of names: similar lengths together, so that little padding is computed. */
final class NamesBatches {
    /** A batch: the names as character indices and their labels. */
    record Batch(List<int[]> ids, int[] labels) {
        int size() {
            return labels.length;
        }
    }

    private NamesBatches() {
    }

    /**
     * Training batches: the examples shuffled, cut into pools of 32 batches, each pool sorted by length
     * and cut into batches, and the batches shuffled (bucketing that keeps the order random).
     */
    static List<Batch> training(List<Example> data, Vocabulary vocab, int batchSize, Random rng) {
        List<Example> shuffled = new ArrayList<>(data);
        Collections.shuffle(shuffled, rng);
        List<Batch> batches = new ArrayList<>();
        int pool = batchSize * 32;
        for (int p = 0; p < shuffled.size(); p += pool) {
            List<Example> part = new ArrayList<>(shuffled.subList(p, Math.min(shuffled.size(), p + pool)));
            part.sort(Comparator.comparingInt(e -> e.name().length()));
            cut(part, vocab, batchSize, batches);
        }
        Collections.shuffle(batches, rng);
        return batches;
    }

    /** Evaluation batches: all examples sorted by length (the order of the results does not matter). */
    static List<Batch> evaluation(List<Example> data, Vocabulary vocab, int batchSize) {
        List<Example> sorted = new ArrayList<>(data);
        sorted.sort(Comparator.comparingInt(e -> e.name().length()));
        List<Batch> batches = new ArrayList<>();
        cut(sorted, vocab, batchSize, batches);
        return batches;
    }

    private static void cut(List<Example> sorted, Vocabulary vocab, int batchSize, List<Batch> out) {
        for (int i = 0; i < sorted.size(); i += batchSize) {
            List<Example> part = sorted.subList(i, Math.min(sorted.size(), i + batchSize));
            List<int[]> ids = new ArrayList<>(part.size());
            int[] labels = new int[part.size()];
            for (int k = 0; k < part.size(); k++) {
                ids.add(encode(vocab, part.get(k).name()));
                labels[k] = part.get(k).label();
            }
            out.add(new Batch(ids, labels));
        }
    }

    /** Character indices of a name; characters outside the vocabulary map to index 0 (unknown). */
    static int[] encode(Vocabulary vocab, String name) {
        return vocab.encode(name, 0);
    }
}
