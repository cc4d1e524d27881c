package org.rnn4j.examples;

import java.util.SplittableRandom;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.backend.Backends;
import org.rnn4j.loss.Losses;
import org.rnn4j.nn.ClassicCharRnn;
import org.rnn4j.optim.SGD;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Trainer;

/**
 * The toy main job: the classic character-level RNN learns which of four letters occurs most often in
 * random five-letter words, printing its NLL falling and its accuracy on held-out words.
 */
public final class Demo {
    private static final int LETTERS = 4;
    private static final int LENGTH = 5;

    private Demo() {
    }

    private static int[] word(SplittableRandom rng) {
        int[] w = new int[LENGTH];
        for (int t = 0; t < LENGTH; t++) {
            w[t] = rng.nextInt(LETTERS);
        }
        return w;
    }

    /** The letter that occurs most (lowest index on ties). */
    private static int label(int[] w) {
        int[] count = new int[LETTERS];
        for (int c : w) {
            count[c]++;
        }
        int best = 0;
        for (int c = 1; c < LETTERS; c++) {
            best = count[c] > count[best] ? c : best;
        }
        return best;
    }

    private static Var oneHot(Backend b, int[] w) {
        double[] x = new double[LENGTH * LETTERS];
        for (int t = 0; t < LENGTH; t++) {
            x[t * LETTERS + w[t]] = 1;
        }
        return Var.constant(b.fromDoubles(x, DType.FLOAT32, 1, LENGTH, LETTERS));
    }

    public static void main(String[] args) {
        run(Backends.get(), 7);
    }

    /** Runs the demo on {@code backend}, drawing the words with {@code seed}. */
    public static void run(Backend backend, long seed) {
        System.out.println("rnn4j demo: classic char RNN (i2h/i2o, log-softmax) on backend '" + backend.name() + "' " + backend.version());
        SplittableRandom rng = new SplittableRandom(seed);
        int[][] train = new int[400][];
        int[][] test = new int[200][];
        for (int i = 0; i < train.length; i++) {
            train[i] = word(rng);
        }
        for (int i = 0; i < test.length; i++) {
            test[i] = word(rng);
        }
        ClassicCharRnn model = new ClassicCharRnn(LETTERS, 32, LETTERS, backend, DType.FLOAT32, 1);
        Trainer trainer = new Trainer(model, SGD.builder(model.parameters().values()).lr(0.02).momentum(0.9).build()).clipNorm(5);
        for (int epoch = 1; epoch <= 12; epoch++) {
            double total = 0;
            for (int[] w : train) {
                Var x = oneHot(backend, w);
                int[] y = {label(w)};
                total += trainer.step(() -> Losses.nll(model.forward(x), y));
            }
            System.out.printf("epoch %2d  train NLL %.4f  test accuracy %.3f%n", epoch, total / train.length, accuracy(model, backend, test));
        }
    }

    private static double accuracy(ClassicCharRnn model, Backend b, int[][] words) {
        int correct = 0;
        try (var off = Grad.disabled()) {
            for (int[] w : words) {
                double[] lp = model.forward(oneHot(b, w)).value().toDoubleArray();
                int arg = 0;
                for (int c = 1; c < lp.length; c++) {
                    arg = lp[c] > lp[arg] ? c : arg;
                }
                correct += arg == label(w) ? 1 : 0;
            }
        }
        return correct / (double) words.length;
    }
}
