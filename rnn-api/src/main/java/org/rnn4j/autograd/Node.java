package org.rnn4j.autograd;

import org.rnn4j.tensor.Tensor;

/**
 * One recorded operation of the autograd graph: its inputs and how to map the gradients of its
 * outputs to gradients of its inputs. An op with several outputs (a fused cell step) is one node.
 */
public abstract class Node {
    final Var[] inputs;
    final int outputCount;
    final String name;

    /** A node named {@code name} (for error messages) with {@code outputCount} outputs. */
    protected Node(String name, int outputCount, Var... inputs) {
        this.name = name;
        this.outputCount = outputCount;
        this.inputs = inputs;
    }

    /**
     * Gradients for each input (null where an input needs none) given the gradient of each output (a
     * null entry means that output received no gradient; at least one is non-null).
     */
    protected abstract Tensor[] backward(Tensor[] outputGradients);

    /** The op's name, e.g. {@code matmul}. */
    public String name() {
        return name;
    }
}
