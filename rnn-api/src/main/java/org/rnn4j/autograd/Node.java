package org.rnn4j.autograd;

import org.rnn4j.tensor.Tensor;

/**
 * One recorded operation of the autograd graph: its inputs and how to map the gradients of its
 * outputs to gradients of its inputs. An op with several outputs (a fused cell step, a whole-sequence
 * kernel, {@link F#unbind}) is one node.
 */
public abstract class Node {
    final Var[] inputs;
    final int outputCount;
    final String name;
    /** Set once a backward pass went through this node without retaining the graph, or the graph was released. */
    boolean released;
    /** The Vars this node created, by output index (filled as they are made); for {@link Var#releaseGraph()}. */
    final Var[] outputs;
    /** Whether this node was entered into its inputs' consumer lists (done with its first output Var). */
    boolean linked;

    /** A node named {@code name} (for error messages) with {@code outputCount} outputs. */
    protected Node(String name, int outputCount, Var... inputs) {
        this.name = name;
        this.outputCount = outputCount;
        this.inputs = inputs;
        this.outputs = new Var[outputCount];
    }

    /**
     * Gradients for each input (null where an input needs none) given the gradient of each output (a
     * null entry means that output received no gradient; at least one is non-null).
     *
     * <p>Ownership: {@link Var#backward} closes the tensors this method returns once it has propagated
     * them (unless they became a leaf's {@link Var#grad()}), so return new tensors, an output gradient
     * itself, or a view of one (a reshape) — never a tensor kept elsewhere (a saved forward value, a
     * cached constant). Do not keep the output gradients past this call: they are closed afterwards.
     */
    protected abstract Tensor[] backward(Tensor[] outputGradients);

    /**
     * Frees what this node kept for its backward pass beyond its inputs' and outputs' values (a fused
     * kernel's per-step activations): called once, when a backward pass went through the node without
     * retaining the graph or the graph was released ({@link Var#releaseGraph()}); the node's backward never
     * runs afterwards. The default keeps nothing and does nothing.
     */
    protected void release() {
    }

    /**
     * Enters this node into the graph as the creator of {@code outputs} (its outputs in order, one per
     * output) and returns them as {@code Var}s. This is how an op that is not composed of {@link F} ops
     * (a host-side algorithm such as a CTC loss) joins autograd: subclass {@code Node}, compute the
     * outputs, then call {@code record}. When recording is off ({@link Grad#disabled()}) or no input
     * requires a gradient, nothing is recorded and the outputs come back as constants.
     *
     * @param outputs the forward values, {@code outputCount} of them, none null
     * @return one {@code Var} per output, in order
     * @throws IllegalArgumentException when the number of outputs is not {@code outputCount}
     */
    public final Var[] record(Tensor... outputs) {
        if (outputs == null || outputs.length != outputCount) {
            throw new IllegalArgumentException("Node " + name + ": record got " + (outputs == null ? "null" : outputs.length
                    + " outputs") + ", expected " + outputCount);
        }
        boolean tracked = F.track(inputs);
        Var[] vars = new Var[outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            vars[i] = tracked ? new Var(outputs[i], true, this, i) : Var.constant(outputs[i]);
        }
        return vars;
    }

    /** The op's name, e.g. {@code matmul}. */
    public String name() {
        return name;
    }
}
