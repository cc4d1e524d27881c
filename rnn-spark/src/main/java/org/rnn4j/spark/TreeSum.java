package org.rnn4j.spark;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * A deterministic sum over partitions {@code 0..P-1}, whatever order their values arrive in and however
 * Spark groups them ({@code treeAggregate}'s levels, task retries): the values are added along one fixed
 * binary tree over the partition indices (pairwise summation: node {@code [i 2^L, (i+1) 2^L)} is its left
 * child plus its right child), so the result has the same bits on every run. Floating-point addition is
 * not associative, so summing in arrival order would make the last bits of a step depend on which task
 * finished first.
 *
 * <p>The accumulator is {@code treeAggregate}'s zero value, sequence operator ({@link #add}) and combine
 * operator ({@link #merge}); it holds only the nodes whose sibling has not arrived yet.
 */
public final class TreeSum implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int partitions;
    private final int rootLevel;
    private final Map<Long, Contribution> pending = new HashMap<>();
    private Contribution root;
    private int leaves;

    /**
     * An empty sum over {@code partitions} leaves.
     *
     * @throws IllegalArgumentException when {@code partitions < 1}
     */
    public TreeSum(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("TreeSum: partitions = " + partitions + ", expected >= 1");
        }
        this.partitions = partitions;
        int level = 0;
        while ((1L << level) < partitions) {
            level++;
        }
        this.rootLevel = level;
    }

    /** Adds partition {@code partition}'s value (each partition exactly once); returns this. */
    public TreeSum add(int partition, Contribution value) {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("TreeSum.add: partition " + partition + " outside [0, " + partitions + ")");
        }
        leaves++;
        insert(0, partition, value);
        return this;
    }

    /** Adds every value {@code other} holds (from disjoint partitions) to this; returns this. */
    public TreeSum merge(TreeSum other) {
        if (other.partitions != partitions) {
            throw new IllegalArgumentException("TreeSum.merge: sums over " + partitions + " and " + other.partitions + " partitions");
        }
        leaves += other.leaves;
        if (other.root != null) {
            insert(rootLevel, 0, other.root);
        }
        for (Map.Entry<Long, Contribution> e : other.pending.entrySet()) {
            insert((int) (e.getKey() >>> 32), (int) (long) e.getKey(), e.getValue());
        }
        return this;
    }

    /**
     * The sum over all partitions.
     *
     * @throws IllegalStateException when some partition has not been added
     */
    public Contribution result() {
        if (root == null || leaves != partitions) {
            throw new IllegalStateException("TreeSum: " + leaves + " of " + partitions + " partitions were added");
        }
        return root;
    }

    private void insert(int level, int index, Contribution value) {
        while (level < rootLevel) {
            int sibling = index ^ 1;
            long siblingStart = (long) sibling << level;
            if (siblingStart >= partitions) {
                // the right sibling covers no partition: the node is its own parent
                level++;
                index >>= 1;
                continue;
            }
            Contribution other = pending.remove(key(level, sibling));
            if (other == null) {
                pending.put(key(level, index), value);
                return;
            }
            value = (index & 1) == 0 ? value.plus(other) : other.plus(value);
            level++;
            index >>= 1;
        }
        if (root != null) {
            throw new IllegalStateException("TreeSum: the root was formed twice; a partition was added more than once");
        }
        root = value;
    }

    private static long key(int level, int index) {
        return ((long) level << 32) | (index & 0xFFFFFFFFL);
    }
}
