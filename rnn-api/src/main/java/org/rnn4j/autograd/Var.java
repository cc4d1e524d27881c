package org.rnn4j.autograd;

import org.rnn4j.spi.ComputeBackend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * A tensor in the autograd graph. A leaf created with {@link #parameter} accumulates its gradient in
 * {@link #grad()} when {@link #backward()} runs on a scalar computed from it (each pass adds to it, as in
 * PyTorch); a {@link #constant} never receives one. A graph is backpropagated once unless retained
 * ({@link #backward(boolean)}). Every op in {@link F} returns a new {@code Var} that remembers how it was made.
 *
 * <p>The value of a leaf may be replaced ({@link #set}), as checkpoint loading does; optimizers update
 * a parameter's tensor in place (see {@link #value()}). The graph of a non-leaf is freed when the last
 * reference to its result goes.
 */
public final class Var {
    private Tensor value;
    private Tensor grad;
    private boolean requiresGrad;
    final Node creator;
    final int outputIndex;

    Var(Tensor value, boolean requiresGrad, Node creator, int outputIndex) {
        if (value == null) {
            throw new IllegalArgumentException("Var value is null");
        }
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.creator = creator;
        this.outputIndex = outputIndex;
    }

    /** A leaf that receives gradients (a trainable parameter). */
    public static Var parameter(Tensor value) {
        return new Var(value, true, null, 0);
    }

    /** A leaf that never receives gradients (inputs, targets, masks). */
    public static Var constant(Tensor value) {
        return new Var(value, false, null, 0);
    }

    /** A leaf that receives a gradient when {@code requiresGrad}. */
    public static Var leaf(Tensor value, boolean requiresGrad) {
        return new Var(value, requiresGrad, null, 0);
    }

    /**
     * The current value. A parameter's tensor is updated in place by its optimizer's steps (after the
     * first, which swaps in the optimizer's own copy): keep {@code Tensors.copy(value())} to remember a value.
     */
    public Tensor value() {
        return value;
    }

    /** Replaces the value of a leaf (same shape and dtype); used by optimizers and checkpoint loading. */
    public void set(Tensor newValue) {
        if (creator != null) {
            throw new IllegalStateException("Only a leaf Var's value can be replaced; this one was computed by " + creator.name());
        }
        if (!java.util.Arrays.equals(newValue.shape(), value.shape()) || newValue.dtype() != value.dtype()) {
            throw new IllegalArgumentException("Var.set: expected " + value.dtype() + Shapes.str(value.shape()) + ", got "
                    + newValue.dtype() + Shapes.str(newValue.shape()));
        }
        if (newValue.backend() != value.backend()) {
            throw new IllegalArgumentException("Var.set: new value belongs to backend '" + newValue.backend().name()
                    + "', expected '" + value.backend().name() + "'");
        }
        value = newValue;
    }

    /** The accumulated gradient of a leaf, or null before any backward pass reached it. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the accumulated gradient (gradient clipping uses this); null clears it. */
    public void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.shape(), value.shape())) {
            throw new IllegalArgumentException("setGrad: expected shape " + Shapes.str(value.shape()) + ", got " + Shapes.str(g.shape()));
        }
        grad = g;
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        grad = null;
    }

    /** True for parameters and for every result computed from one while recording. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Turns gradient recording for this leaf on or off (PyTorch's {@code requires_grad_}); freezing a
     * parameter this way makes later backward passes skip it and optimizers leave it unchanged. Its
     * accumulated gradient is cleared when turned off.
     *
     * @throws IllegalStateException on a Var computed by an op (only leaves can be frozen)
     */
    public void setRequiresGrad(boolean on) {
        if (creator != null) {
            throw new IllegalStateException("setRequiresGrad: only a leaf Var can be frozen or unfrozen; this one was computed by "
                    + creator.name());
        }
        requiresGrad = on;
        if (!on) {
            grad = null;
        }
    }

    /** True for a Var not computed by an op. */
    public boolean isLeaf() {
        return creator == null;
    }

    /** A constant with the same value, cut from the graph (truncated BPTT carries state this way). */
    public Var detach() {
        return constant(value);
    }

    /** Shortcuts to the value's properties. */
    public int[] shape() {
        return value.shape();
    }

    public DType dtype() {
        return value.dtype();
    }

    public Backend backend() {
        return value.backend();
    }

    public int dim(int axis) {
        return value.dim(axis);
    }

    /**
     * Backpropagates from this scalar (size-1) value with seed gradient 1, accumulating into the
     * {@link #grad()} of every leaf that requires a gradient, and frees the graph: as in PyTorch, a second
     * backward through it throws (use {@link #backward(boolean)} to keep it). Gradients accumulate across
     * separate forward and backward passes until cleared ({@link #zeroGrad()}).
     *
     * @throws IllegalStateException when this value is not a scalar, needs no gradient, or its graph was
     *     already backpropagated without being retained
     */
    public void backward() {
        backward(false);
    }

    /**
     * {@link #backward()}, keeping the graph for another backward pass when {@code retainGraph} (like
     * PyTorch's {@code retain_graph=True}); each pass adds its gradients to the leaves'.
     */
    public void backward(boolean retainGraph) {
        if (value.size() != 1) {
            throw new IllegalStateException("backward() needs a scalar; this Var has shape " + Shapes.str(value.shape())
                    + ": call backward(gradient) with a gradient of that shape");
        }
        backward(value.backend().full(1.0, value.dtype(), value.shape()), retainGraph);
    }

    /**
     * Backpropagates {@code seed} (same shape as this value), accumulating into the {@link #grad()} of
     * every leaf that requires a gradient, and frees the graph (see {@link #backward()}).
     */
    public void backward(Tensor seed) {
        backward(seed, false);
    }

    /**
     * Backpropagates {@code seed} (same shape as this value), accumulating into the {@link #grad()} of
     * every leaf that requires a gradient. Unless {@code retainGraph}, the graph is freed: a later backward
     * through any of its nodes throws, as PyTorch's does. Nothing is accumulated when it throws.
     *
     * @throws IllegalArgumentException when {@code seed}'s shape differs from this value's
     * @throws IllegalStateException when this value needs no gradient, or a node of its graph was already
     *     backpropagated without {@code retainGraph}
     */
    public void backward(Tensor seed, boolean retainGraph) {
        if (seed == null) {
            throw new IllegalArgumentException("backward: seed gradient is null; expected a tensor of shape " + Shapes.str(value.shape()));
        }
        if (!java.util.Arrays.equals(seed.shape(), value.shape())) {
            throw new IllegalArgumentException("backward: seed gradient has shape " + Shapes.str(seed.shape()) + ", expected "
                    + Shapes.str(value.shape()));
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this value does not depend on any parameter (requiresGrad is false)");
        }
        if (creator == null) {
            accumulate(seed);
            return;
        }
        List<Node> order = topologicalOrder(creator);
        for (Node n : order) {
            if (n.released) {
                throw new IllegalStateException("Trying to backward through the graph a second time: the graph of this value (through op '"
                        + n.name() + "') was already backpropagated and freed; call backward(true) on the earlier pass to retain it,"
                        + " or compute the value again");
            }
        }
        Map<Node, Tensor[]> pending = new IdentityHashMap<>();
        Tensor[] rootGrads = new Tensor[creator.outputCount];
        rootGrads[outputIndex] = seed;
        pending.put(creator, rootGrads);
        for (int i = order.size() - 1; i >= 0; i--) {
            Node node = order.get(i);
            Tensor[] outGrads = pending.remove(node);
            if (outGrads == null) {
                continue;
            }
            if (node instanceof ProductNode product) {
                // each factor's gradient is a product: add it into the sum so far in one matmulAccumulate
                for (int k = 0; k < node.inputs.length; k++) {
                    Var in = node.inputs[k];
                    if (in == null || !in.requiresGrad) {
                        continue;
                    }
                    Tensor[] slot = in.creator == null ? null : pending.computeIfAbsent(in.creator, n -> new Tensor[n.outputCount]);
                    Tensor sum = product.gradient(k, outGrads[0], slot == null ? in.grad : slot[in.outputIndex]);
                    if (sum != null) {
                        if (slot == null) {
                            in.grad = sum;
                        } else {
                            slot[in.outputIndex] = sum;
                        }
                    }
                }
                continue;
            }
            Tensor[] inGrads = node.backward(outGrads);
            for (int k = 0; k < node.inputs.length; k++) {
                Var in = node.inputs[k];
                Tensor g = inGrads[k];
                if (in == null || g == null || !in.requiresGrad) {
                    continue;
                }
                if (in.creator == null) {
                    in.accumulate(g);
                } else {
                    Tensor[] slot = pending.computeIfAbsent(in.creator, n -> new Tensor[n.outputCount]);
                    Tensor prev = slot[in.outputIndex];
                    slot[in.outputIndex] = prev == null ? g : ComputeBackend.of(prev).add(prev, g);
                }
            }
        }
        if (!retainGraph) {
            for (Node n : order) {
                n.released = true;
            }
        }
    }

    private void accumulate(Tensor g) {
        grad = grad == null ? g : ComputeBackend.of(grad).add(grad, g);
    }

    /** Nodes reachable from {@code root}, each after all nodes it depends on (iterative DFS). */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node n = (Node) frame[0];
            int next = (Integer) frame[1];
            if (next < n.inputs.length) {
                frame[1] = next + 1;
                Var in = n.inputs[next];
                if (in != null && in.creator != null && in.requiresGrad && visited.put(in.creator, Boolean.TRUE) == null) {
                    stack.push(new Object[] {in.creator, 0});
                }
            } else {
                stack.pop();
                order.add(n);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return "Var" + Shapes.str(value.shape()) + " " + value.dtype() + (creator != null ? " <- " + creator.name() : requiresGrad ? " (parameter)" : "");
    }
}
