package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.loss.Losses;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.nn.Sequential;
import org.rnn4j.optim.Adam;
import org.rnn4j.optim.SGD;
import org.rnn4j.optim.schedule.ReduceLROnPlateau;
import org.rnn4j.optim.schedule.StepLR;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.train.CsvLogger;
import org.rnn4j.train.EarlyStopping;
import org.rnn4j.train.Fit;
import org.rnn4j.train.KeepBest;

/**
 * {@link Fit} on a backend: a resumed run reproduces the uninterrupted loss curve bit for bit (weights,
 * Adam, a schedule, dropout draws, the shuffled loader position, accumulation and clipping all
 * restored), NaN stops name the step, early stopping / keep-best / CSV logging, validation and
 * metric-driven schedules.
 */
public abstract class FitContract extends BackendContract {

    /** A small regressor: 2-layer GRU with inter-layer dropout over 3 steps, dropout, linear head. */
    static final class Net extends Module {
        final Recurrent rnn;
        final Dropout dropout;
        final Linear head;

        Net(Backend b, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            rnn = registerModule("rnn", Recurrent.builder(Cells.gru(), 2, 5).numLayers(2).dropout(0.2).backend(b).seed(rng.nextLong()).build());
            dropout = registerModule("dropout", new Dropout(0.3, rng.nextLong()));
            head = registerModule("head", new Linear(5, 1, true, b, DType.FLOAT32, rng));
        }

        Var forward(Var x) {
            Var h = rnn.forward(x).output();
            Var last = F.reshape(F.slice(h, 1, 2, 3), h.dim(0), 5);
            return head.forward(dropout.forward(last));
        }
    }

    /** One example: 3 steps of 2 features and a target. */
    record Example(float[] x, float y) {
    }

    record Batch(Tensor x, Tensor y, int size) {
    }

    private static Dataset<Example> data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[6];
            float s = 0;
            for (int k = 0; k < 6; k++) {
                x[k] = (float) (r.nextDouble() * 2 - 1);
                s += x[k] * (k % 2 == 0 ? 1 : -0.5f);
            }
            list.add(new Example(x, s));
        }
        return Dataset.of(list);
    }

    private static DataLoader<Example, Batch> loader(Backend b, Dataset<Example> d, int batch, long seed) {
        return DataLoader.builder(d, (List<Example> items) -> {
            float[] x = new float[items.size() * 6];
            float[] y = new float[items.size()];
            for (int i = 0; i < items.size(); i++) {
                System.arraycopy(items.get(i).x(), 0, x, i * 6, 6);
                y[i] = items.get(i).y();
            }
            return new Batch(b.fromFloats(x, DType.FLOAT32, items.size(), 3, 2), b.fromFloats(y, DType.FLOAT32, items.size(), 1), items.size());
        }).batchSize(batch).shuffle(seed).build();
    }

    private static Var loss(Net net, Batch batch) {
        return Losses.mse(net.forward(Var.constant(batch.x())), Var.constant(batch.y()), org.rnn4j.loss.Reduction.MEAN);
    }

    private Fit.Result train(Path checkpoint, Path resume, long steps, long seedOfInit) throws IOException {
        ComputeBackend b = backend();
        Net net = new Net(b, seedOfInit);
        Adam adam = Adam.builder(net.parameters().values()).lr(0.01).build();
        StepLR schedule = new StepLR(adam, 4, 0.5);
        try (DataLoader<Example, Batch> train = loader(b, data(40, 1), 6, 7)) {
            Fit.Builder<Batch> fit = Fit.builder(net, adam, train, batch -> loss(net, batch)).maxSteps(steps).accumulate(2).clipGradNorm(1.0)
                    .schedule(schedule).examples(Batch::size).stopOnInterrupt(false);
            if (checkpoint != null) {
                fit.checkpoint(checkpoint, 5);
            }
            if (resume != null) {
                fit.resume(resume);
            }
            return fit.run();
        }
    }

    @Test
    void aResumedRunReproducesTheUninterruptedLossCurve(@TempDir Path dir) throws IOException {
        Fit.Result whole = train(null, null, 13, 3);
        assertEquals(13, whole.stepLosses().size());
        assertEquals(Fit.StopReason.STEPS, whole.stopReason());
        Path ckpt = dir.resolve("fit.safetensors");
        Fit.Result first = train(ckpt, null, 6, 3);
        assertEquals(6, first.steps());
        // the resumed run starts from a model initialised differently: everything comes from the checkpoint
        Fit.Result resumed = train(null, ckpt, 13, 99);
        assertEquals(13, resumed.steps());
        double[] expected = whole.stepLosses().stream().mapToDouble(Double::doubleValue).toArray();
        double[] got = resumed.stepLosses().stream().mapToDouble(Double::doubleValue).toArray();
        assertArrayEquals(expected, got, 0.0, "resumed loss curve");
        assertEquals(whole.history().size(), resumed.history().size(), "epoch figures");
        for (int i = 0; i < whole.history().size(); i++) {
            assertEquals(whole.history().get(i).get("loss"), resumed.history().get(i).get("loss"), 0.0);
        }
    }

    /** A rebuildable regressor: a plain Sequential over the 6 flattened inputs. */
    private static Sequential rebuildable(Backend b) {
        return new Sequential(new Linear(6, 4, true, b, DType.FLOAT32, 1), new Dropout(0.2, 3), new Linear(4, 1, true, b, DType.FLOAT32, 2));
    }

    private Fit.Result trainRebuildable(Sequential net, Path checkpoint, Path resume, long steps, Vocabulary vocab) throws IOException {
        ComputeBackend b = backend();
        Adam adam = Adam.builder(net.parameters().values()).lr(0.01).build();
        try (DataLoader<Example, Batch> train = loader(b, data(20, 8), 4, 5)) {
            Fit.Builder<Batch> fit = Fit.builder(net, adam, train, batch -> Losses.mse(net.forward(F.reshape(Var.constant(batch.x()), batch.size(), 6)),
                    Var.constant(batch.y()))).maxSteps(steps).stopOnInterrupt(false);
            if (checkpoint != null) {
                fit.checkpoint(checkpoint, 3, Map.of("words", vocab), () -> Map.of("note", "run " + steps));
            }
            if (resume != null) {
                fit.resume(resume);
            }
            return fit.run();
        }
    }

    @Test
    void theCheckpointOfARebuildableModelIsAModelFileAndResumes(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        Vocabulary words = Vocabulary.words().build(List.of("to be or not to be"));
        Path ckpt = dir.resolve("model.safetensors");
        Sequential first = rebuildable(b);
        trainRebuildable(first, ckpt, null, 4, words);
        // Models.load reads it alone: the model, the vocabulary and the metadata, the training state skipped
        Models.Loaded loaded = Models.load(ckpt, b);
        first.eval();
        Var x = Var.constant(b.fromDoubles(new double[] {1, 2, 3, 4, 5, 6, -1, 0, 1, 0, -1, 2}, DType.FLOAT32, 2, 6));
        assertArrayEquals(first.forward(x).value().toFloatArray(), loaded.model(Sequential.class).forward(x).value().toFloatArray(), 0f);
        assertEquals(words, loaded.vocabulary("words"));
        assertEquals("run 4", loaded.metadata().get("note"));
        assertEquals("4", loaded.metadata().get(Models.TRAINING_PREFIX + "step"));
        // and Fit resumes from it exactly
        Fit.Result whole = trainRebuildable(rebuildable(b), null, null, 7, words);
        Fit.Result resumed = trainRebuildable(rebuildable(b), null, ckpt, 7, words);
        assertArrayEquals(whole.stepLosses().stream().mapToDouble(Double::doubleValue).toArray(),
                resumed.stepLosses().stream().mapToDouble(Double::doubleValue).toArray(), 0.0);
        // a checkpoint whose optimizer state is not finite is refused, naming the entry
        SafeTensorsFile f = SafeTensors.read(ckpt);
        Map<String, HostTensor> bad = new LinkedHashMap<>(f.tensors());
        float[] inf = new float[24];
        inf[5] = Float.POSITIVE_INFINITY;
        bad.put(Models.TRAINING_PREFIX + "optim.p0.exp_avg_sq", HostTensor.ofFloats(inf, 4, 6));
        Path damaged = dir.resolve("damaged.safetensors");
        SafeTensors.write(damaged, bad, f.metadata());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainRebuildable(rebuildable(b), null, damaged, 7, words));
        assertTrue(e.getMessage().contains("'fit.optim.p0.exp_avg_sq' holds Infinity at flat index 5"), e.getMessage());
        // and one that lacks some of it
        bad = new LinkedHashMap<>(f.tensors());
        bad.keySet().removeIf(k -> k.startsWith(Models.TRAINING_PREFIX + "optim.p2."));
        SafeTensors.write(damaged, bad, f.metadata());
        e = assertThrows(IllegalArgumentException.class, () -> trainRebuildable(rebuildable(b), null, damaged, 7, words));
        assertTrue(e.getMessage().contains("the optimizer state lacks [p2.step, p2.exp_avg, p2.exp_avg_sq]"), e.getMessage());
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingTheStepAndChangesNothing() throws IOException {
        ComputeBackend b = backend();
        Net net = new Net(b, 4);
        SGD sgd = SGD.builder(net.parameters().values()).lr(0.01).build();
        int[] calls = {0};
        Map<String, Tensor> before;
        try (DataLoader<Example, Batch> train = loader(b, data(24, 2), 4, 1)) {
            Fit.Result[] r = new Fit.Result[1];
            Map<String, Tensor>[] atFailure = new Map[1];
            r[0] = Fit.builder(net, sgd, train, batch -> {
                if (++calls[0] == 3) {
                    atFailure[0] = net.stateDict();
                    return F.scale(loss(net, batch), Double.NaN);
                }
                return loss(net, batch);
            }).epochs(3).stopOnInterrupt(false).run();
            before = atFailure[0];
            assertEquals(Fit.StopReason.NON_FINITE, r[0].stopReason());
            assertTrue(r[0].failed());
            assertTrue(r[0].detail().contains("Training step 3") && r[0].detail().contains("NaN"), r[0].detail());
            assertEquals(2, r[0].steps());
        }
        before.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), net.stateDict().get(k).toFloatArray(), 0f, k));
    }

    @Test
    void earlyStoppingKeepBestAndCsvLogUseTheEpochFigures(@TempDir Path dir) throws IOException {
        ComputeBackend b = backend();
        Net net = new Net(b, 5);
        SGD sgd = SGD.builder(net.parameters().values()).lr(0.05).build();
        Iterator<Double> scripted = List.of(3.0, 2.0, 2.5, 2.6, 1.0).iterator();
        KeepBest keep = new KeepBest(dir.resolve("best.safetensors"), "val_score", false, Map.of());
        List<Map<String, Tensor>> weightsPerEpoch = new ArrayList<>();
        Path csv = dir.resolve("log.csv");
        try (DataLoader<Example, Batch> train = loader(b, data(24, 3), 8, 2); DataLoader<Example, Batch> val = loader(b, data(10, 4), 5, 3)) {
            Fit.Result r = Fit.builder(net, sgd, train, batch -> loss(net, batch)).epochs(10).stopOnInterrupt(false)
                    .validation(val, batch -> loss(net, batch), Batch::size)
                    .validationMetrics(() -> {
                        weightsPerEpoch.add(net.stateDict());
                        return Map.of("val_score", scripted.next());
                    })
                    .callbacks(keep, new EarlyStopping("val_score", 2, false, 0.0), new CsvLogger(csv)).run();
            assertEquals(Fit.StopReason.CALLBACK, r.stopReason());
            assertTrue(r.detail().contains("early stopping"), r.detail());
            assertEquals(4, r.history().size(), "epochs 0..3: no improvement in 2 and 3");
            // val_loss is the example-weighted mean over the validation batches
            double manual = 0;
            int count = 0;
            net.eval();
            try (var off = org.rnn4j.autograd.Grad.disabled()) {
                for (Batch batch : val) {
                    manual += loss(net, batch).value().item() * batch.size();
                    count += batch.size();
                }
            }
            net.train();
            assertEquals(manual / count, r.history().get(3).get("val_loss"), 1e-6);
        }
        assertEquals(1, keep.bestEpoch());
        keep.restore();
        weightsPerEpoch.get(1).forEach((k, v) -> assertArrayEquals(v.toFloatArray(), net.stateDict().get(k).toFloatArray(), 0f, k));
        List<String> lines = Files.readAllLines(csv);
        assertEquals(5, lines.size());
        assertEquals("epoch,step,loss,val_loss,val_score,lr,seconds", lines.get(0));
        assertTrue(lines.get(2).startsWith("1,6,"), lines.get(2));
        assertTrue(Files.size(dir.resolve("best.safetensors")) > 0);
    }

    @Test
    void aMetricDrivenScheduleStepsOnTheMonitoredFigure() throws IOException {
        ComputeBackend b = backend();
        Net net = new Net(b, 6);
        SGD sgd = SGD.builder(net.parameters().values()).lr(0.1).build();
        ReduceLROnPlateau plateau = ReduceLROnPlateau.builder(sgd).patience(0).factor(0.5).build();
        Iterator<Double> scripted = List.of(1.0, 1.0, 1.0).iterator();
        try (DataLoader<Example, Batch> train = loader(b, data(8, 5), 8, 2)) {
            Fit.Result r = Fit.builder(net, sgd, train, batch -> loss(net, batch)).epochs(3).stopOnInterrupt(false)
                    .validationMetrics(() -> Map.of("val_score", scripted.next())).schedule(plateau, true, "val_score").run();
            assertEquals(Fit.StopReason.EPOCHS, r.stopReason());
            assertEquals(0.1, r.history().get(0).get("lr"), 1e-12);
            assertEquals(0.1, r.history().get(1).get("lr"), 1e-12);
            assertEquals(0.05, r.history().get(2).get("lr"), 1e-12);
            assertEquals(0.025, sgd.lr(), 1e-12);
        }
    }

    @Test
    void badSettingsAreRejectedBeforeTraining() {
        ComputeBackend b = backend();
        Net net = new Net(b, 7);
        SGD sgd = SGD.builder(net.parameters().values()).lr(0.1).build();
        SGD other = SGD.builder(net.parameters().values()).lr(0.1).build();
        try (DataLoader<Example, Batch> train = loader(b, data(8, 5), 8, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Fit.builder(net, sgd, train, batch -> loss(net, batch)).build());
            assertTrue(e.getMessage().contains("no end set"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Fit.builder(net, sgd, train, batch -> loss(net, batch)).schedule(new StepLR(other, 1, 0.5)));
            assertTrue(e.getMessage().contains("another optimizer"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Fit.builder(net, sgd, train, batch -> loss(net, batch)).timeBudget(Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> Fit.builder(net, sgd, train, batch -> loss(net, batch)).accumulate(0));
        }
        assertNotEquals(0, net.parameterCount());
    }
}
