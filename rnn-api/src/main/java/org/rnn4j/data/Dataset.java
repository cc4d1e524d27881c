package org.rnn4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A finite, indexed collection of examples, as PyTorch's map-style {@code torch.utils.data.Dataset}:
 * {@link #size()} examples, example {@code i} read by {@link #get(int)}. A {@link DataLoader} draws
 * batches of indices from it and collates the examples into batches.
 *
 * <p>Implementations keep their size fixed and answer {@code get} for the same index with equal
 * examples every time (a loader's order, and a resumed run, rely on it). A loader with a background
 * thread calls {@code get} from that thread only, so a dataset must be safe to read from a thread other
 * than the one that built it (no concurrent calls are made by one loader).
 *
 * @param <T> the type of one example
 */
public interface Dataset<T> {

    /** Number of examples, {@code >= 0}; constant for the dataset's life. */
    int size();

    /**
     * Example {@code index}. Must not modify the dataset.
     *
     * @throws IndexOutOfBoundsException when {@code index} is outside {@code [0, size())}
     */
    T get(int index);

    /**
     * A view whose example {@code i} is {@code fn.apply(get(i))}, computed on every {@code get} (lazily,
     * as {@code map}-style transforms are in PyTorch); {@code fn} must be a pure function of its argument.
     */
    default <R> Dataset<R> map(Function<? super T, ? extends R> fn) {
        Objects.requireNonNull(fn, "fn");
        Dataset<T> self = this;
        return new Dataset<>() {
            @Override
            public int size() {
                return self.size();
            }

            @Override
            public R get(int index) {
                return fn.apply(self.get(index));
            }
        };
    }

    /**
     * A view of the examples at {@code indices} (in that order; repeats allowed), as PyTorch's
     * {@code Subset}. {@code indices} is copied.
     *
     * @throws IllegalArgumentException naming the first index outside {@code [0, size())}
     */
    default Dataset<T> subset(int... indices) {
        Objects.requireNonNull(indices, "indices");
        int n = size();
        for (int k = 0; k < indices.length; k++) {
            if (indices[k] < 0 || indices[k] >= n) {
                throw new IllegalArgumentException("indices[" + k + "] = " + indices[k] + " is outside the dataset's range [0, " + n + ")");
            }
        }
        int[] idx = indices.clone();
        Dataset<T> self = this;
        return new Dataset<>() {
            @Override
            public int size() {
                return idx.length;
            }

            @Override
            public T get(int index) {
                Objects.checkIndex(index, idx.length);
                return self.get(idx[index]);
            }
        };
    }

    /** Every example in index order, in a new modifiable list. */
    default List<T> toList() {
        List<T> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            out.add(get(i));
        }
        return out;
    }

    /**
     * The examples of {@code items} in list order. The list is copied (later changes to it are not
     * seen); the examples themselves are shared.
     *
     * @throws IllegalArgumentException naming the first null element
     */
    static <T> Dataset<T> of(List<? extends T> items) {
        Objects.requireNonNull(items, "items");
        List<T> copy = new ArrayList<>(items);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i) == null) {
                throw new IllegalArgumentException("items[" + i + "] is null; a dataset's examples must be non-null");
            }
        }
        List<T> data = Collections.unmodifiableList(copy);
        return new Dataset<>() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public T get(int index) {
                return data.get(index);
            }
        };
    }

    /** The given examples in order (copied as by {@link #of(List)}). */
    @SafeVarargs
    static <T> Dataset<T> of(T... items) {
        return of(Arrays.asList(items));
    }

    /**
     * {@code size} examples computed on demand: example {@code i} is {@code fn.apply(i)}, which must be a
     * pure function of {@code i} (synthetic data, records read from an indexed file).
     *
     * @throws IllegalArgumentException when {@code size < 0}
     */
    static <T> Dataset<T> generate(int size, IntFunction<? extends T> fn) {
        Objects.requireNonNull(fn, "fn");
        if (size < 0) {
            throw new IllegalArgumentException("size = " + size + ", expected >= 0");
        }
        return new Dataset<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public T get(int index) {
                Objects.checkIndex(index, size);
                return fn.apply(index);
            }
        };
    }
}
