package org.rnn4j.examples.speech;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiConsumer;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.Collate;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.data.PaddedFeatures;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/** Utterances with their features and digits, their batches, and batched inference over them. */
public final class Utterances {
    private Utterances() {
    }

    /**
     * One utterance ready for a model.
     *
     * @param name where it came from (a file name, or the recordings a string joins)
     * @param speaker who speaks
     * @param features {@code [steps][F]} ({@link SpeechFeatures})
     * @param digits the digits spoken, in order (one for an isolated digit)
     */
    public record Utterance(String name, String speaker, float[][] features, int[] digits) {
        public int steps() {
            return features.length;
        }
    }

    /**
     * A padded batch.
     *
     * @param x the features, {@code [B, T, F]} once on a backend
     * @param digits each utterance's digits
     */
    public record Batch(PaddedFeatures x, int[][] digits) {
        /** Number of utterances. */
        public int size() {
            return x.batchSize();
        }

        /** The first digit of each utterance (the label of an isolated digit). */
        public int[] labels() {
            int[] l = new int[digits.length];
            for (int i = 0; i < l.length; i++) {
                l[i] = digits[i][0];
            }
            return l;
        }

        /** The features as a {@code [B, T, F]} float32 constant on {@code backend}. */
        public Var input(Backend backend) {
            return Var.constant(x.toTensor(backend, DType.FLOAT32));
        }
    }

    /** Pads a list of utterances (zeros, the normalised mean, on padded steps). */
    public static Batch collate(List<Utterance> list) {
        List<float[][]> f = new ArrayList<>(list.size());
        int[][] d = new int[list.size()][];
        for (int i = 0; i < list.size(); i++) {
            f.add(list.get(i).features());
            d[i] = list.get(i).digits();
        }
        return new Batch(Collate.padFeatures(f, 0f), d);
    }

    /** A shuffled training loader of length-bucketed batches (pools of 8 batches sorted by length). */
    public static DataLoader<Utterance, Batch> training(List<Utterance> items, int batch, long seed) {
        return DataLoader.builder(Dataset.of(items), Utterances::collate).batchSize(batch).shuffle(seed)
                .bucketByLength(Utterance::steps, 8).build();
    }

    /**
     * Runs {@code step} over {@code items} in batches of similar length, in evaluation mode and without a
     * graph; {@code step} gets each batch and the items' positions in {@code items}.
     */
    public static void inference(SpeechNet net, List<Utterance> items, int batch, BiConsumer<Batch, int[]> step) {
        Integer[] order = new Integer[items.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> items.get(i).steps()));
        boolean training = net.isTraining();
        net.eval();
        try (Grad.Scope off = Grad.disabled()) {
            for (int from = 0; from < order.length; from += batch) {
                int to = Math.min(order.length, from + batch);
                int[] idx = new int[to - from];
                List<Utterance> part = new ArrayList<>(idx.length);
                for (int k = from; k < to; k++) {
                    idx[k - from] = order[k];
                    part.add(items.get(order[k]));
                }
                step.accept(collate(part), idx);
            }
        } finally {
            net.train(training);
        }
    }
}
