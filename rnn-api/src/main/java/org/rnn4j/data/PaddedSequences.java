package org.rnn4j.data;

import java.util.Objects;

/**
 * A batch of integer sequences (token ids, class targets) padded to a common length, batch-first, with
 * each sequence's true length: what {@link org.rnn4j.nn.Recurrent#forward} takes as {@code lengths} and
 * what the embedding and cross-entropy take as ids and targets. Built by {@link Collate#pad}.
 *
 * <p>The arrays are the batch's own and are not copied by the accessors (batches are built once and
 * read many times); callers that modify them change the batch.
 *
 * @param values {@code [B][T]}: row {@code b} holds sequence {@code b} in steps {@code [0, lengths[b])}
 *     and {@code padValue} in steps {@code [lengths[b], T)}
 * @param lengths {@code [B]}: the length of each sequence, in {@code [0, T]}
 * @param padValue the value in the padded steps (a vocabulary's pad id for inputs, the loss's ignore
 *     index such as {@code -100} for targets)
 */
public record PaddedSequences(int[][] values, int[] lengths, int padValue) {

    /** Checks that {@code values} is {@code [B][T]} and the lengths fit; does not copy. */
    public PaddedSequences {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(lengths, "lengths");
        if (values.length != lengths.length) {
            throw new IllegalArgumentException("values has " + values.length + " rows but lengths has " + lengths.length
                    + " entries; expected one length per row");
        }
        int steps = values.length == 0 ? 0 : values[0].length;
        for (int b = 0; b < values.length; b++) {
            if (values[b] == null || values[b].length != steps) {
                throw new IllegalArgumentException("values[" + b + "] has " + (values[b] == null ? "no row" : values[b].length + " steps")
                        + ", expected " + steps + " like values[0]");
            }
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + ", expected a value in [0, " + steps + "]");
            }
        }
    }

    /** B, the number of sequences. */
    public int batchSize() {
        return values.length;
    }

    /** T, the padded length (the longest sequence's length unless padded further). */
    public int steps() {
        return values.length == 0 ? 0 : values[0].length;
    }

    /**
     * The values row-major in a new array {@code [B*T]} (sequence {@code b}, step {@code t} at
     * {@code b*T + t}), the layout the losses and {@code Embedding} take.
     */
    public int[] flat() {
        int t = steps();
        int[] out = new int[values.length * t];
        for (int b = 0; b < values.length; b++) {
            System.arraycopy(values[b], 0, out, b * t, t);
        }
        return out;
    }

    /** Whether every sequence has the full length {@code T} (no step is padding). */
    public boolean full() {
        int t = steps();
        for (int l : lengths) {
            if (l != t) {
                return false;
            }
        }
        return true;
    }
}
