package org.rnn4j.nn;

import java.util.Map;
import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;

/**
 * PyTorch's {@code nn.Dropout(p)} (inverted dropout): in training mode each element is zeroed with
 * probability {@code p} and the others are scaled by {@code 1/(1-p)}; in evaluation mode (or with
 * {@code p = 0}) the input passes unchanged. The k-th mask is drawn from a stream seeded by
 * {@code (seed, k)}, so runs are reproducible and resumable ({@link Stochastic}).
 */
public final class Dropout extends Module implements Layer, Stochastic {
    private final double p;
    private long seed;
    private long draws;

    /**
     * @param p    probability of zeroing an element, in {@code [0, 1]}
     * @param seed seed of the mask stream
     * @throws IllegalArgumentException when {@code p} is outside {@code [0, 1]} or not a number
     */
    public Dropout(double p, long seed) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p = " + p + ", expected a probability in [0, 1]");
        }
        this.p = p;
        this.seed = seed;
    }

    /** The drop probability. */
    public double p() {
        return p;
    }

    /** The seed of the mask stream. */
    public long seed() {
        return seed;
    }

    /** {@code x} of any shape; same shape out. Draws one mask per call in training mode (advancing {@link #drawCount()}). */
    @Override
    public Var forward(Var x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        return apply(x, p, new SplittableRandom(streamSeed(seed, draws++)));
    }

    /**
     * Inverted dropout of {@code x} with drop probability {@code p}, the mask drawn from {@code rng}
     * (advanced by one draw per element). Shared by the modules that drop activations.
     */
    public static Var apply(Var x, double p, SplittableRandom rng) {
        if (p == 0) {
            return x;
        }
        int n = x.value().size();
        double[] m = new double[n];
        double scale = p >= 1 ? 0 : 1 / (1 - p);
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextDouble() < p ? 0 : scale;
        }
        return F.mul(x, Var.constant(x.backend().fromDoubles(m, x.dtype(), x.shape())));
    }

    /** The seed of the {@code k}-th mask of a stream seeded by {@code seed} (a SplitMix64 mix of both). */
    public static long streamSeed(long seed, long k) {
        long z = seed + 0x9E3779B97F4A7C15L * (k + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public long streamSeed() {
        return seed;
    }

    @Override
    public void setStreamSeed(long seed) {
        this.seed = seed;
    }

    @Override
    public long drawCount() {
        return draws;
    }

    @Override
    public void setDrawCount(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("Dropout.setDrawCount: count = " + count + ", expected >= 0");
        }
        draws = count;
    }

    /** {@code p} and {@code seed} (a decimal string: a long does not fit a JSON number exactly). */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("p", p);
        c.put("seed", Long.toString(seed));
        return c;
    }
}
