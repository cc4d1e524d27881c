package org.rnn4j.data;

/**
 * The data package's random stream: SplitMix64 with a bounded draw of the same algorithm as
 * {@link java.util.Random#nextInt(int)}, written out here so that shuffles and splits depend only on
 * the seed (and epoch), never on the JDK's version. Not thread-safe; each use creates its own.
 */
final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;

    Rng(long state) {
        this.state = state;
    }

    /** A stream determined by {@code seed} and the {@code keys} (an epoch, a class label, a purpose). */
    static Rng of(long seed, long... keys) {
        long h = mix64(seed);
        for (long k : keys) {
            h = mix64(h ^ mix64(k + GOLDEN));
        }
        return new Rng(h);
    }

    /** The SplitMix64 finaliser (Stafford's variant 13). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        state += GOLDEN;
        return mix64(state);
    }

    /** Uniform in {@code [0, bound)}, unbiased; {@code bound >= 1}. */
    int nextInt(int bound) {
        int r = (int) (nextLong() >>> 33);
        int m = bound - 1;
        if ((bound & m) == 0) {
            return (int) ((bound * (long) r) >> 31);
        }
        for (int u = r; u - (r = u % bound) + m < 0; u = (int) (nextLong() >>> 33)) {
            // reject the top partial range
        }
        return r;
    }

    /** Fisher-Yates shuffle of {@code a} in place. */
    void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Fisher-Yates shuffle of {@code a} in place. */
    <E> void shuffle(java.util.List<E> a) {
        for (int i = a.size() - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            a.set(i, a.set(j, a.get(i)));
        }
    }

    /** {@code 0, 1, ..., n-1} in an order drawn from this stream. */
    int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p);
        return p;
    }
}
