package org.rnn4j.nn.attention;

import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * The mask an attention layer applies to its scores, built and checked on the host before anything is
 * computed: 1 where a query must not see a key (a padded key, or a later key under a causal mask).
 * Shaped {@code [B, 1, S]} (padding only) or {@code [B, Tq, S]} (causal), to broadcast over the scores.
 */
final class KeyMask {
    private KeyMask() {
    }

    /** Key padding {@code [B, S]} (1 = padding) from lengths: keys at {@code s >= lengths[b]} are padding. */
    static double[] fromLengths(String who, int[] lengths, int batch, int keySteps) {
        if (lengths.length != batch) {
            throw new IllegalArgumentException(who + ": keyLengths has " + lengths.length + " entries, expected one per batch entry ("
                    + batch + ")");
        }
        double[] pad = new double[batch * keySteps];
        for (int b = 0; b < batch; b++) {
            int n = lengths[b];
            if (n < 0 || n > keySteps) {
                throw new IllegalArgumentException(who + ": keyLengths[" + b + "] = " + n + " is outside [1, " + keySteps
                        + "] (the number of keys)");
            }
            for (int s = n; s < keySteps; s++) {
                pad[b * keySteps + s] = 1;
            }
        }
        return pad;
    }

    /** Key padding {@code [B, S]} (1 = padding) read from a 0/1 tensor, checking its shape and values. */
    static double[] fromTensor(String who, Tensor mask, int batch, int keySteps) {
        if (mask == null) {
            throw new IllegalArgumentException(who + ": keyPaddingMask is null; pass null keyLengths instead for no masking");
        }
        if (mask.rank() != 2 || mask.shape()[0] != batch || mask.shape()[1] != keySteps) {
            throw new IllegalArgumentException(who + ": keyPaddingMask must be [B, S] = " + Shapes.str(batch, keySteps) + ", got "
                    + Shapes.str(mask.shape()));
        }
        double[] pad = mask.toDoubleArray();
        for (int i = 0; i < pad.length; i++) {
            if (pad[i] != 0 && pad[i] != 1) {
                throw new IllegalArgumentException(who + ": keyPaddingMask[" + i / keySteps + ", " + i % keySteps + "] = " + pad[i]
                        + "; expected 0 (attend) or 1 (padding)");
            }
        }
        return pad;
    }

    /**
     * The score mask as a tensor: {@code pad} (may be null: no padding) combined with a causal mask
     * (query {@code q} sees keys {@code s <= q}); null when nothing is masked. Throws, naming the batch
     * entry and the query, when some query would see no key at all (its weights would be NaN).
     */
    static Tensor build(String who, double[] pad, boolean causal, int batch, int querySteps, int keySteps, Backend backend,
                        DType dtype) {
        if (pad == null && !causal) {
            return null;
        }
        int rows = causal ? querySteps : 1;
        double[] m = new double[batch * rows * keySteps];
        for (int b = 0; b < batch; b++) {
            for (int q = 0; q < rows; q++) {
                int visible = 0;
                for (int s = 0; s < keySteps; s++) {
                    boolean hidden = (pad != null && pad[b * keySteps + s] != 0) || (causal && s > q);
                    m[(b * rows + q) * keySteps + s] = hidden ? 1 : 0;
                    visible += hidden ? 0 : 1;
                }
                if (visible == 0) {
                    throw new IllegalArgumentException(who + ": every key is masked for batch entry " + b
                            + (causal ? ", query " + q : " (all its queries)") + ": " + (pad == null ? "" : "the key padding")
                            + (pad != null && causal ? " and " : "") + (causal ? "the causal mask" : "") + " hide all " + keySteps
                            + " keys, so its attention weights would be NaN; give every query at least one key");
                }
            }
        }
        return backend.fromDoubles(m, dtype, batch, rows, keySteps);
    }
}
