package org.rnn4j.examples.customcell;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.Footprint;
import org.rnn4j.examples.cli.ModelFiles;
import org.rnn4j.examples.cli.StepProgress;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.loss.Losses;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Cell;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensors;
import org.rnn4j.train.Callback;
import org.rnn4j.train.Fit;
import org.rnn4j.train.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code custom-cell}: the worked example of extending rnn4j. A user-defined cell ({@link MinimalGatedUnit})
 * learns the adding problem: each step shows a random number and a marker, exactly two steps are
 * marked, and the model must output the sum of the two marked numbers at the end, which needs memory
 * across the whole sequence. Predicting the mean scores an MSE of about 0.167.
 */
@Command(name = "custom-cell", mixinStandardHelpOptions = true,
        description = {"A user-defined cell (the minimal gated unit) trained on the adding problem.", "",
                "Trains a user-defined cell (the minimal gated unit, MinimalGatedUnit.java: about 20 lines of F ops, no "
                + "backend code, no backward pass) on the adding problem, then saves it as a self-describing model file (PyTorch's "
                + "parameter names) and loads it back with Models.load. --cell gru or lstm runs a built-in cell on the same task for comparison."})
public final class CustomCellCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--cell", defaultValue = "mgu", paramLabel = "CELL", description = "mgu (the custom cell), gru or lstm (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--length", defaultValue = "20", paramLabel = "T", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--hidden", defaultValue = "32", paramLabel = "N", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "1500", paramLabel = "N", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "1e-2", paramLabel = "LR", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--minutes", defaultValue = "3", paramLabel = "M", description = "Time budget for training (0 = none; default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--out-dir", defaultValue = "rnn4j-output", paramLabel = "DIR", description = "Where the checkpoint goes (default: ${DEFAULT-VALUE}).")
    Path outDir;

    static {
        // what a user does once so that model files with the cell and the model rebuild: register both
        Models.registerCell("mgu", MinimalGatedUnit::new);
        Models.register("Adder", (s, b, d) -> new Adder(s.child("rnn", Recurrent.class), s.child("head", Linear.class)));
    }

    /** A recurrent layer over [value, marker] inputs and a linear read-out of its last state. */
    static final class Adder extends Module {
        final Recurrent rnn;
        final Linear head;

        Adder(Recurrent rnn, Linear head) {
            if (rnn.inputSize() != 2 || rnn.bidirectional() || rnn.numLayers() != 1 || head.inFeatures() != rnn.hiddenSize() || head.outFeatures() != 1) {
                throw new IllegalArgumentException("Adder needs one unidirectional layer over 2 inputs and a head of hidden -> 1");
            }
            this.rnn = registerModule("rnn", rnn);
            this.head = registerModule("head", head);
        }

        static Adder create(Cell cell, int hidden, Backend backend, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            Recurrent rnn = Recurrent.builder(cell, 2, hidden).backend(backend).seed(rng.nextLong()).build();
            return new Adder(rnn, new Linear(hidden, 1, true, backend, DType.FLOAT32, rng));
        }

        Var forward(Var x) {
            return head.forward(F.reshape(rnn.forward(x).hN(), x.dim(0), rnn.hiddenSize()));
        }

        /** Everything is in the children's configs. */
        @Override
        public Map<String, Object> config() {
            return Map.of();
        }
    }

    /** A batch of the adding problem: inputs {@code [B, T, 2]} and targets {@code [B, 1]}. */
    record Batch(Var x, Var y) {
        static Batch draw(Backend backend, SplittableRandom rng, int batch, int length) {
            double[] x = new double[batch * length * 2];
            double[] y = new double[batch];
            for (int b = 0; b < batch; b++) {
                int first = rng.nextInt(Math.max(1, length / 2));
                int second = length / 2 + rng.nextInt(length - length / 2);
                for (int t = 0; t < length; t++) {
                    double v = rng.nextDouble();
                    x[(b * length + t) * 2] = v;
                    if (t == first || t == second) {
                        x[(b * length + t) * 2 + 1] = 1;
                        y[b] += v;
                    }
                }
            }
            return new Batch(Var.constant(backend.fromDoubles(x, DType.FLOAT32, batch, length, 2)),
                    Var.constant(backend.fromDoubles(y, DType.FLOAT32, batch, 1)));
        }
    }

    @Override
    public Integer call() {
        Cell c = switch (cell) {
            case "mgu" -> new MinimalGatedUnit();
            case "gru", "lstm" -> Cells.byName(cell);
            default -> throw new UserError("--cell " + cell + " is not a cell here; use mgu (the custom cell), gru or lstm");
        };
        if (length < 2 || hidden < 1 || batch < 1 || steps < 1) {
            throw new UserError("--length must be at least 2 and --hidden, --batch, --steps at least 1");
        }
        if (!(lr > 0)) {
            throw new UserError("--lr " + lr + " must be positive; pass e.g. 1e-2");
        }
        CommonOptions.checkMinutes(minutes);
        new Footprint("the custom-cell model (" + cell + ", hidden " + hidden + ")", "lower --hidden, --batch or --length")
                .recurrent("rnn.", cell, 2, hidden, 1, false, Math.max(batch, 1000), length).parameter("head.weight", 1, hidden).check(true);
        Backend backend = common.backend();
        Adder model = Adder.create(c, hidden, backend, common.seed);
        System.out.printf(Locale.ROOT, "custom-cell: the adding problem, %d steps; %s (%,d parameters)%n", length, model.rnn.explain(),
                model.parameterCount());
        SplittableRandom data = new SplittableRandom(common.seed + 17);
        Batch test = Batch.draw(backend, new SplittableRandom(common.seed + 99), 1000, length);
        Adam adam = Adam.builder(model.parameters().values()).lr(lr).build();
        StepProgress progress = new StepProgress(common.progress("custom-cell"));
        Callback testEvery250 = new Callback() {
            @Override
            public void onStepEnd(Fit.Context ctx, long step, double loss, long examples) {
                if (step % 250 == 0) {
                    progress.result(String.format(Locale.ROOT, "step %5d  test mse %.4f  (%s)", step, mse(model, test), Progress.time(ctx.seconds())));
                }
            }
        };
        // a stream of fresh random batches, drawn in order: one epoch of --steps batches
        Fit.Builder<Batch> fit = Fit.builder(model, adam, DataLoader.builder(Dataset.generate(steps, i -> i), ids -> Batch.draw(backend, data, batch, length))
                .build(), b -> Losses.mse(model.forward(b.x()), b.y())).epochs(1).clipGradNorm(1).examples(b -> batch).stopOnInterrupt(false)
                .callbacks(progress, testEvery250);
        if (minutes > 0) {
            fit.timeBudget(Duration.ofMillis(Math.round(minutes * 60_000)));
        }
        Fit.Result r;
        try {
            r = fit.run();
        } catch (IOException e) {
            throw new UserError("training failed: " + e, e);
        }
        if (r.failed()) {
            throw new NonFiniteException(r.detail(), -1);
        }
        double testMse = mse(model, test);
        // the model file holds the architecture (the cell by name) and the weights under PyTorch's names
        Path file = outDir.resolve("custom-cell-" + cell + ".safetensors");
        ModelFiles.save(file, model, Map.of(), Map.of("task", "adding problem, length " + length));
        Adder reloaded = ModelFiles.load(file, backend, "this is a bug in the example").model(Adder.class);
        double diff;
        try (Grad.Scope off = Grad.disabled()) {
            diff = Tensors.relativeError(reloaded.forward(test.x()).value().toDoubleArray(), model.forward(test.x()).value().toDoubleArray());
        }
        System.out.printf(Locale.ROOT, "saved %s (%s); Models.load rebuilt it: predictions agree to %.1e%n", file,
                String.join(", ", model.parameters().keySet()), diff);
        System.out.printf(Locale.ROOT, "test mse: %.4f after %d steps (predicting the mean scores %.4f)%n", testMse, r.steps(), baseline(test));
        return 0;
    }

    private static double mse(Adder model, Batch test) {
        try (Grad.Scope off = Grad.disabled()) {
            model.eval();
            return Losses.mse(model.forward(test.x()), test.y()).value().item();
        } finally {
            model.train();
        }
    }

    private static double baseline(Batch test) {
        double[] y = test.y().value().toDoubleArray();
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= y.length;
        double s = 0;
        for (double v : y) {
            s += (v - mean) * (v - mean);
        }
        return s / y.length;
    }
}
