package org.rnn4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.data.BatchSampler;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.loss.Losses;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.optim.SGD;
import org.rnn4j.optim.schedule.StepLR;
import org.rnn4j.spark.examples.CharClassifier;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Fit;

/** A small sequence-classification task and its single-JVM reference run (the oracle of the equivalence tests). */
public final class Toy {
    /** One example: token ids in [1, 10) and a class in [0, 3). */
    public record Example(int[] ids, int label) implements Serializable {
    }

    private Toy() {
    }

    /** {@code n} examples: random lengths 1..6; the class is the sum of the ids modulo 3. */
    public static List<Example> data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = r.ints(1 + r.nextInt(6), 1, 10).toArray();
            int sum = 0;
            for (int id : ids) {
                sum += id;
            }
            out.add(new Example(ids, sum % 3));
        }
        return out;
    }

    /** The model: float64 (for the equivalence tests) or float32, with the given dropout. */
    public static ModelFactory<CharClassifier> model(DType dtype, double dropout) {
        return () -> new CharClassifier(10, 6, 8, 3, true, dropout, Backends.get("cpu"), dtype, 42);
    }

    /** Adam, lr 0.02. */
    public static OptimizerFactory adam() {
        return params -> Adam.builder(params).lr(0.02).build();
    }

    /** Plain SGD, lr 0.5. */
    public static OptimizerFactory sgd() {
        return params -> SGD.builder(params).lr(0.5).build();
    }

    /** StepLR: the rate halves every 3 steps. */
    public static ScheduleFactory stepLr() {
        return opt -> new StepLR(opt, 3, 0.5);
    }

    /** The mean cross-entropy of a batch. */
    public static Var loss(CharClassifier model, List<Example> batch) {
        List<int[]> ids = new ArrayList<>();
        int[] labels = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            ids.add(batch.get(i).ids());
            labels[i] = batch.get(i).label();
        }
        return Losses.crossEntropy(model.forward(ids), labels);
    }

    /** The distributed form of {@link #loss}. */
    public static ReplicaLoss<CharClassifier, Example> replicaLoss() {
        return (model, examples, ctx) -> loss(model, examples);
    }

    /** The single-JVM run: Fit over a DataLoader with {@code sampler}, clipping at 1.0, {@code steps} steps. */
    public static Fit.Result reference(List<Example> data, BatchSampler sampler, OptimizerFactory optimizer, ScheduleFactory schedule, long steps,
            CharClassifier[] modelOut) throws IOException {
        CharClassifier model = model(DType.FLOAT64, 0.0).create();
        Optimizer opt = optimizer.create(model.trainableParameters().values());
        DataLoader<Example, List<Example>> loader = DataLoader.builder(Dataset.of(data)).sampler(sampler).build();
        Fit.Builder<List<Example>> fit = Fit.builder(model, opt, loader, b -> loss(model, b)).maxSteps(steps).clipGradNorm(1.0)
                .stopOnInterrupt(false);
        if (schedule != null) {
            fit.schedule(schedule.create(opt));
        }
        Fit.Result r = fit.run();
        modelOut[0] = model;
        return r;
    }
}
