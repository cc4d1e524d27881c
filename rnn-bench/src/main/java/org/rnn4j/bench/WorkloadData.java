package org.rnn4j.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;

/**
 * The weights, input and targets of one workload, generated from a seed in Java and handed to every
 * implementation (rnn4j backends directly, DL4J by setting its parameters, PyTorch through a
 * safetensors file), so that all of them compute the same function on the same data.
 *
 * <p>Weights use PyTorch's names and layouts ({@code weight_ih_l0 [G*H, I]}, {@code weight_hh_l0
 * [G*H, H]}, {@code bias_ih_l0 [G*H]}, {@code bias_hh_l0 [G*H]}, gate order LSTM (i,f,g,o), GRU
 * (r,z,n)) and its default initialisation U(-1/sqrt(H), 1/sqrt(H)); inputs and targets are U(-1, 1)
 * (never zeros). Arrays are row-major and must not be modified.
 */
public final class WorkloadData {
    public static final String W_IH = "weight_ih_l0";
    public static final String W_HH = "weight_hh_l0";
    public static final String B_IH = "bias_ih_l0";
    public static final String B_HH = "bias_hh_l0";
    public static final String X = "x";
    public static final String TARGET = "target";
    /** Learning rate of the SGD step every implementation takes. */
    public static final double LR = 1e-3;

    private final Workload workload;
    private final long seed;
    final float[] wIh;
    final float[] wHh;
    final float[] bIh;
    final float[] bHh;
    final float[] x;
    final float[] target;

    private WorkloadData(Workload w, long seed) {
        this.workload = w;
        this.seed = seed;
        SplittableRandom rng = new SplittableRandom(seed);
        int gh = w.gates() * w.hidden();
        float bound = (float) (1 / Math.sqrt(w.hidden()));
        wIh = uniform(rng, gh * w.input(), bound);
        wHh = uniform(rng, gh * w.hidden(), bound);
        bIh = uniform(rng, gh, bound);
        bHh = uniform(rng, gh, bound);
        x = uniform(rng, Math.toIntExact(w.inputSize()), 1f);
        target = uniform(rng, Math.toIntExact(w.outputSize()), 1f);
    }

    private WorkloadData(WorkloadData full, int n) {
        Workload f = full.workload;
        this.workload = new Workload(f.name() + "[first " + n + "]", f.cell(), f.train(), n, f.steps(), f.input(), f.hidden());
        this.seed = full.seed;
        wIh = full.wIh;
        wHh = full.wHh;
        bIh = full.bIh;
        bHh = full.bHh;
        x = java.util.Arrays.copyOf(full.x, Math.toIntExact(workload.inputSize()));
        target = java.util.Arrays.copyOf(full.target, Math.toIntExact(workload.outputSize()));
    }

    /** The same weights with only the first {@code n} sequences of the input and targets (batch-first, so a prefix). */
    public WorkloadData firstSequences(int n) {
        if (n < 1 || n > workload.batch()) {
            throw new IllegalArgumentException("firstSequences(" + n + "): the batch has " + workload.batch() + " sequences");
        }
        return n == workload.batch() ? this : new WorkloadData(this, n);
    }

    /** The data of {@code w} for {@code seed} (the same seed gives the same data on every run). */
    public static WorkloadData generate(Workload w, long seed) {
        return new WorkloadData(w, seed);
    }

    /** The default seed of a workload: its name's hash mixed with a constant, stable across runs. */
    public static long defaultSeed(Workload w) {
        return 0x5EED_0000_0000L ^ w.name().hashCode();
    }

    private static float[] uniform(SplittableRandom rng, int n, float bound) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v;
            do {
                v = (float) ((rng.nextDouble() * 2 - 1) * bound);
            } while (v == 0f);
            a[i] = v;
        }
        return a;
    }

    public Workload workload() {
        return workload;
    }

    public long seed() {
        return seed;
    }

    /** The four parameters by PyTorch name, as host tensors. */
    public Map<String, HostTensor> parameters() {
        Workload w = workload;
        int gh = w.gates() * w.hidden();
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put(W_IH, HostTensor.ofFloats(wIh, gh, w.input()));
        m.put(W_HH, HostTensor.ofFloats(wHh, gh, w.hidden()));
        m.put(B_IH, HostTensor.ofFloats(bIh, gh));
        m.put(B_HH, HostTensor.ofFloats(bHh, gh));
        return m;
    }

    /** Writes parameters, {@code x [B,T,I]} and {@code target [B,T,H]} to a safetensors file. */
    public void writeSafetensors(Path file) throws IOException {
        Workload w = workload;
        Map<String, HostTensor> m = new LinkedHashMap<>(parameters());
        m.put(X, HostTensor.ofFloats(x, w.batch(), w.steps(), w.input()));
        m.put(TARGET, HostTensor.ofFloats(target, w.batch(), w.steps(), w.hidden()));
        SafeTensors.write(file, m, Map.of("workload", w.name(), "seed", Long.toString(seed)));
    }

    /** The parameter named {@code name} (one of the four PyTorch names), row-major. */
    public float[] parameter(String name) {
        return switch (name) {
            case W_IH -> wIh;
            case W_HH -> wHh;
            case B_IH -> bIh;
            case B_HH -> bHh;
            default -> throw new IllegalArgumentException("no parameter '" + name + "'");
        };
    }

    public float[] x() {
        return x;
    }

    public float[] target() {
        return target;
    }
}
