package org.rnn4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Checkpoints;
import org.rnn4j.tensor.Tensor;

/**
 * Keeps the best model of a {@link Fit} run by a monitored figure (Keras's {@code ModelCheckpoint} with
 * {@code save_best_only}): whenever the figure improves, the weights are written to {@code file} (as a
 * self-describing {@link Models} file when every module can be rebuilt, else as weights) and kept in
 * memory; {@link #restore()} puts them back into the model (as Keras's {@code restore_best_weights}).
 */
public final class KeepBest implements Callback {
    private final Path file;
    private final String monitor;
    private final boolean maximize;
    private final Map<String, String> metadata;
    private double best = Double.NaN;
    private long bestEpoch = -1;
    private Map<String, Tensor> bestWeights;
    private org.rnn4j.nn.Module model;

    /**
     * @param file     where the best model is written (atomically); null to keep it in memory only
     * @param monitor  the epoch figure to watch, e.g. {@code val_loss} or {@code val_bleu}
     * @param maximize whether higher is better
     * @param metadata free-form entries written with the model (vocabularies are the caller's to add by saving with {@link Models})
     */
    public KeepBest(Path file, String monitor, boolean maximize, Map<String, String> metadata) {
        if (monitor == null || monitor.isBlank()) {
            throw new IllegalArgumentException("KeepBest: monitor is required");
        }
        this.file = file;
        this.monitor = monitor;
        this.maximize = maximize;
        this.metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    @Override
    public void onEpochEnd(Fit.Context ctx, long epoch, Map<String, Double> logs) {
        Double v = logs.get(monitor);
        if (v == null) {
            throw new IllegalStateException("KeepBest monitors '" + monitor + "' but the epoch's figures are " + logs.keySet());
        }
        if (Double.isNaN(v)) {
            return;
        }
        if (Double.isNaN(best) || (maximize ? v > best : v < best)) {
            best = v;
            bestEpoch = epoch;
            model = ctx.model();
            bestWeights = new LinkedHashMap<>(model.stateDict());
            if (file != null) {
                try {
                    if (Models.canSave(model)) {
                        Models.save(file, model, Map.of(), metadata);
                    } else {
                        Checkpoints.save(file, model, Map.of(), metadata);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("KeepBest: cannot write " + file + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** The best value seen (NaN before any). */
    public double best() {
        return best;
    }

    /** The epoch (0-based) of the best value, or -1. */
    public long bestEpoch() {
        return bestEpoch;
    }

    /**
     * Loads the best weights back into the model.
     *
     * @throws IllegalStateException before any epoch has been seen
     */
    public void restore() {
        if (bestWeights == null) {
            throw new IllegalStateException("KeepBest.restore: no epoch has finished yet");
        }
        model.loadStateDict(bestWeights, true);
    }
}
