package org.rnn4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.loss.Losses;
import org.rnn4j.metrics.Accuracy;
import org.rnn4j.nn.ClassicCharRnn;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Fit;

/**
 * The toy main job: the classic character-level RNN learns which of four letters occurs most often in
 * random five-letter words, printing its NLL falling and its accuracy on held-out words.
 */
public final class Demo {
    private static final int LETTERS = 4;
    private static final int LENGTH = 5;

    private Demo() {
    }

    /** A random word and the letter it holds most often (the lowest on ties). */
    record Word(int[] letters, int label) {
        static Word draw(SplittableRandom rng) {
            int[] w = rng.ints(LENGTH, 0, LETTERS).toArray();
            int[] count = new int[LETTERS];
            for (int c : w) {
                count[c]++;
            }
            int best = 0;
            for (int c = 1; c < LETTERS; c++) {
                best = count[c] > count[best] ? c : best;
            }
            return new Word(w, best);
        }

        /** The word as one-hot letters {@code [1, LENGTH, LETTERS]}. */
        Var oneHot(Backend b) {
            double[] x = new double[LENGTH * LETTERS];
            for (int t = 0; t < LENGTH; t++) {
                x[t * LETTERS + letters[t]] = 1;
            }
            return Var.constant(b.fromDoubles(x, DType.FLOAT32, 1, LENGTH, LETTERS));
        }
    }

    public static void main(String[] args) {
        run(Backends.get(), 7);
    }

    /** Runs the demo on {@code backend}, drawing the words with {@code seed}. */
    public static void run(Backend backend, long seed) {
        System.out.println("rnn4j demo: classic char RNN (i2h/i2o, log-softmax) on backend '" + backend.name() + "' " + backend.version());
        SplittableRandom rng = new SplittableRandom(seed);
        List<Word> train = Stream.generate(() -> Word.draw(rng)).limit(400).toList();
        List<Word> test = Stream.generate(() -> Word.draw(rng)).limit(200).toList();
        ClassicCharRnn model = new ClassicCharRnn(LETTERS, 32, LETTERS, backend, DType.FLOAT32, 1);
        try {
            Fit.builder(model, SGD.builder(model.parameters().values()).lr(0.02).momentum(0.9).build(), DataLoader.builder(Dataset.of(train))
                    .build(), words -> Losses.nll(model.forward(words.get(0).oneHot(backend)), new int[] {words.get(0).label()}))
                    .epochs(12).clipGradNorm(5).stopOnInterrupt(false).callbacks(Fit.progressBar(System.err, System.out, "demo"))
                    .validationMetrics(() -> {
                        Accuracy accuracy = new Accuracy();
                        try (var off = Grad.disabled()) {
                            test.forEach(w -> accuracy.update(model.forward(w.oneHot(backend)).value(), new int[] {w.label()}));
                        }
                        return Map.of("test_accuracy", accuracy.compute());
                    }).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
