package org.rnn4j.data;

import java.util.Objects;
import org.rnn4j.nn.Masks;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * A batch of feature sequences (MFCC frames, sensor readings) padded to a common length, batch-first,
 * with each sequence's true length. Built by {@link Collate#padFeatures}; {@link #toTensor} makes the
 * {@code [B, T, F]} input of a recurrent layer.
 *
 * <p>The data array is the batch's own and is not copied by {@link #data()}.
 *
 * @param data {@code [B*T*F]} row-major: feature {@code f} of step {@code t} of sequence {@code b} at
 *     {@code (b*T + t)*F + f}; padded steps hold the pad value
 * @param batchSize B, {@code >= 0}
 * @param steps T, {@code >= 0}
 * @param features F, {@code >= 1}
 * @param lengths {@code [B]}: the length of each sequence, in {@code [0, T]}
 */
public record PaddedFeatures(double[] data, int batchSize, int steps, int features, int[] lengths) {

    /** Checks the sizes against each other; does not copy. */
    public PaddedFeatures {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(lengths, "lengths");
        if (batchSize < 0 || steps < 0 || features < 1) {
            throw new IllegalArgumentException("batchSize = " + batchSize + ", steps = " + steps + ", features = " + features
                    + "; expected batchSize >= 0, steps >= 0, features >= 1");
        }
        if ((long) batchSize * steps * features != data.length) {
            throw new IllegalArgumentException("data has " + data.length + " values, expected B*T*F = " + batchSize + "*" + steps + "*"
                    + features);
        }
        if (lengths.length != batchSize) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries, expected B = " + batchSize);
        }
        for (int b = 0; b < batchSize; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + ", expected a value in [0, " + steps + "]");
            }
        }
    }

    /** Feature {@code f} of step {@code t} of sequence {@code b}. */
    public double get(int b, int t, int f) {
        Objects.checkIndex(b, batchSize);
        Objects.checkIndex(t, steps);
        Objects.checkIndex(f, features);
        return data[(b * steps + t) * features + f];
    }

    /**
     * The batch as a new tensor {@code [B, T, F]} of {@code dtype} on {@code backend}. Call it on a thread
     * the backend may be used from (with a background {@link DataLoader}, typically the consumer's).
     */
    public Tensor toTensor(Backend backend, DType dtype) {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(dtype, "dtype");
        return backend.fromDoubles(data, dtype, batchSize, steps, features);
    }

    /**
     * A new {@code [B, T, maskFeatures]} tensor, 1 at real steps and 0 at padded ones, for masked
     * regression losses (as {@link Masks#stepMask}, which needs every length in {@code [1, T]}).
     */
    public Tensor mask(Backend backend, DType dtype, int maskFeatures) {
        return Masks.stepMask(backend, dtype, lengths, steps, maskFeatures);
    }
}
