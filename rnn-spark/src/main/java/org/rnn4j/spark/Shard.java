package org.rnn4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One partition of the training data as a list, with the global index of its first example: examples
 * are numbered {@code 0..n-1} in partition order, and each step's global batch (indices drawn by the
 * driver's sampler) is split among the shards that hold them. Kept in executor memory; Spark rebuilds a
 * lost shard from the data's lineage, so the data's order within a partition must be reproducible.
 *
 * @param <T> one example
 */
final class Shard<T> implements Serializable {
    private static final long serialVersionUID = 1L;
    final int partition;
    final long start;
    final List<T> examples;

    Shard(int partition, long start, List<T> examples) {
        this.partition = partition;
        this.start = start;
        this.examples = examples;
    }

    /** The examples of {@code batch} (global indices) that this shard holds, in the batch's order. */
    List<T> share(int[] batch) {
        List<T> out = new ArrayList<>();
        long end = start + examples.size();
        for (int i : batch) {
            if (i >= start && i < end) {
                out.add(examples.get((int) (i - start)));
            }
        }
        return out;
    }
}
