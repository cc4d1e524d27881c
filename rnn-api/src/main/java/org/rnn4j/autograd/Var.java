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
 * reference to its result goes, or at once by {@link #releaseGraph()} (as {@code Trainer} does after each
 * step), which closes its computed values so that their memory is reused.
 *
 * <p>Ownership of tensors: a backward pass closes the intermediate gradients it made once they are
 * propagated; a gradient it leaves in {@link #grad()} belongs to this Var ({@link #zeroGrad()} and a later
 * pass that adds to it close it), unless it is shared with another leaf or was given ({@link #setGrad}, a
 * seed). Values are never closed by a backward pass, only by {@link #releaseGraph()}.
 */
public final class Var {
    private Tensor value;
    private Tensor grad;
    /** Whether {@link #grad} was made by a backward pass for this Var alone, so that this Var may close it when replaced. */
    private boolean gradOwned;
    /** Whether {@link #releaseGraph()} must leave {@link #value} open (set by {@link #detach()}). */
    private boolean pinned;
    private boolean requiresGrad;
    /**
     * The nodes that took this (non-leaf) Var as an input, weakly held: null, one {@code WeakReference<Node>},
     * or an {@code ArrayList} of them. {@link #releaseGraph()} follows them to the values computed from this
     * one that the loss does not depend on (a recurrent layer's stacked final state).
     */
    private Object consumers;
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
        if (creator != null) {
            creator.outputs[outputIndex] = this;
            if (!creator.linked) {
                creator.linked = true;
                for (Var in : creator.inputs) {
                    if (in != null && in.creator != null) {
                        in.addConsumer(creator);
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void addConsumer(Node n) {
        java.lang.ref.WeakReference<Node> ref = new java.lang.ref.WeakReference<>(n);
        if (consumers == null) {
            consumers = ref;
        } else if (consumers instanceof java.lang.ref.WeakReference<?> one) {
            List<java.lang.ref.WeakReference<Node>> list = new ArrayList<>(4);
            list.add((java.lang.ref.WeakReference<Node>) one);
            list.add(ref);
            consumers = list;
        } else {
            ((List<java.lang.ref.WeakReference<Node>>) consumers).add(ref);
        }
    }

    /** Adds the live nodes that consumed this Var to {@code out}. */
    @SuppressWarnings("unchecked")
    private void consumersTo(Deque<Node> out) {
        if (consumers instanceof java.lang.ref.WeakReference<?> one) {
            Node n = (Node) one.get();
            if (n != null) {
                out.push(n);
            }
        } else if (consumers != null) {
            for (java.lang.ref.WeakReference<Node> r : (List<java.lang.ref.WeakReference<Node>>) consumers) {
                Node n = r.get();
                if (n != null) {
                    out.push(n);
                }
            }
        }
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

    /**
     * The accumulated gradient of a leaf, or null before any backward pass reached it. A gradient made by
     * a backward pass belongs to this Var: {@link #zeroGrad()} and a later pass that adds to it close it
     * (keep {@code Tensors.copy(grad())} to remember it across those).
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * Replaces the accumulated gradient (gradient clipping uses this); null clears it. The previous
     * gradient is left open (the caller may still be using it) and {@code g} stays the caller's: this Var
     * never closes it.
     */
    public void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.shape(), value.shape())) {
            throw new IllegalArgumentException("setGrad: expected shape " + Shapes.str(value.shape()) + ", got " + Shapes.str(g.shape()));
        }
        grad = g;
        gradOwned = false;
    }

    /**
     * Clears the accumulated gradient; a gradient made by a backward pass (not one given to
     * {@link #setGrad}) is closed, so that its memory is reused.
     */
    public void zeroGrad() {
        if (gradOwned && grad != null) {
            grad.close();
        }
        grad = null;
        gradOwned = false;
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

    /**
     * A constant with the same value (the same tensor), cut from the graph (truncated BPTT carries state
     * this way). Marks this Var's value as kept: {@link #releaseGraph()} leaves it open, so the detached
     * constant stays usable after the step that made it.
     */
    public Var detach() {
        pinned = true;
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
        Tensor seed = value.backend().full(1.0, value.dtype(), value.shape());
        if (!run(seed, retainGraph)) {
            seed.close();
        }
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
        run(seed, retainGraph);
    }

    /** The backward pass of {@link #backward(Tensor, boolean)}; true when {@code seed} became a leaf's gradient. */
    private boolean run(Tensor seed, boolean retainGraph) {
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
            boolean owned = grad != null && gradOwned;
            Tensor old = grad;
            grad = grad == null ? seed : ComputeBackend.of(grad).add(grad, seed);
            gradOwned = old != null;
            if (owned) {
                old.close();
            }
            return old == null;
        }
        List<Node> order = topologicalOrder(creator);
        for (Node n : order) {
            if (n.released) {
                throw new IllegalStateException("Trying to backward through the graph a second time: the graph of this value (through op '"
                        + n.name() + "') was already backpropagated and freed; call backward(true) on the earlier pass to retain it,"
                        + " or compute the value again");
            }
        }
        Pass pass = new Pass(seed);
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
                    Tensor into = slot == null ? in.grad : slot[in.outputIndex];
                    Tensor sum = product.gradient(k, outGrads[0], into);
                    if (sum != null) {
                        pass.hold(sum);
                        if (slot == null) {
                            pass.leafReplaced(in, into);
                            in.grad = sum;
                            pass.touched(in);
                        } else {
                            slot[in.outputIndex] = sum;
                            pass.drop(into);
                        }
                    }
                }
                pass.nodeDone(outGrads, null);
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
                    Tensor old = in.grad;
                    if (old == null) {
                        pass.hold(g);
                        in.grad = g;
                    } else {
                        Tensor sum = ComputeBackend.of(old).add(old, g);
                        pass.hold(sum);
                        in.grad = sum;
                        pass.leafReplaced(in, old);
                    }
                    pass.touched(in);
                } else {
                    Tensor[] slot = pending.computeIfAbsent(in.creator, n -> new Tensor[n.outputCount]);
                    Tensor prev = slot[in.outputIndex];
                    if (prev == null) {
                        pass.hold(g);
                        slot[in.outputIndex] = g;
                    } else {
                        Tensor sum = ComputeBackend.of(prev).add(prev, g);
                        pass.hold(sum);
                        slot[in.outputIndex] = sum;
                        pass.drop(prev);
                    }
                }
            }
            // gradients computed for inputs that needed none, addends summed into a slot, spent output gradients
            pass.nodeDone(outGrads, inGrads);
        }
        boolean seedKept = pass.finish();
        if (!retainGraph) {
            for (Node n : order) {
                n.released = true;
                n.release();
            }
        }
        return seedKept;
    }

    /**
     * Releases the graph that computed this Var, at the end of a training step: closes the value of every
     * Var computed by an op of the graph (this one included, and the outputs of its nodes that nothing
     * used, such as a recurrent layer's final state), and lets every node free what it kept for its
     * backward pass. On the cpu backend the closed arrays are reused by the next step's ops, which is what
     * makes a steady-state training step allocate almost nothing; on backends with native memory it frees
     * that memory now instead of when the garbage collector gets to it.
     *
     * <p>Left open: leaves (parameters, inputs, targets, constants) and their values, every gradient
     * ({@link #grad()}), optimizer state, and the value of every Var that was {@link #detach() detached}
     * (carried recurrent state). Afterwards a backward pass through the graph throws, and so does any op
     * on, or host copy of, a released value ({@code "closed"}): read what you need (e.g.
     * {@code loss.value().item()}, metrics from the outputs) before releasing. A leaf: nothing to release.
     * Idempotent.
     */
    public void releaseGraph() {
        if (creator == null) {
            return;
        }
        // every node connected to this Var's creator through non-leaf Vars, backwards (inputs) and forwards (consumers)
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        List<Node> nodes = new ArrayList<>();
        Deque<Node> work = new ArrayDeque<>();
        work.push(creator);
        while (!work.isEmpty()) {
            Node n = work.pop();
            if (seen.put(n, Boolean.TRUE) != null) {
                continue;
            }
            nodes.add(n);
            for (Var in : n.inputs) {
                if (in != null && in.creator != null) {
                    work.push(in.creator);
                }
            }
            for (Var out : n.outputs) {
                if (out != null) {
                    out.consumersTo(work);
                }
            }
        }
        Map<Tensor, Boolean> keep = new IdentityHashMap<>();
        for (Node n : nodes) {
            for (Var in : n.inputs) {
                if (in != null && (in.creator == null || in.pinned)) {
                    keep.put(in.value, Boolean.TRUE);
                }
            }
            for (Var out : n.outputs) {
                if (out != null && out.pinned) {
                    keep.put(out.value, Boolean.TRUE);
                }
            }
        }
        for (Node n : nodes) {
            for (Var out : n.outputs) {
                if (out != null && !keep.containsKey(out.value)) {
                    out.value.close();
                }
            }
            if (!n.released) {
                n.released = true;
                n.release();
            }
            for (Var out : n.outputs) {
                if (out != null) {
                    out.consumers = null;
                }
            }
        }
    }

    /**
     * The bookkeeping of one backward pass over the gradients it makes: how many places (pending slots,
     * leaf gradients) hold each, so that a gradient is closed as soon as nothing holds it. Tensors the pass
     * did not make (the seed, gradients from earlier passes) are never closed here, except a leaf's earlier
     * gradient that the leaf owned, when the pass replaces it by a sum.
     */
    private static final class Pass {
        private final Tensor seed;
        /** Gradients made by this pass, with the number of places holding them. */
        private final Map<Tensor, int[]> holders = new IdentityHashMap<>();
        /** Leaves whose gradient this pass set. */
        private final Map<Var, Boolean> leaves = new IdentityHashMap<>();

        Pass(Tensor seed) {
            this.seed = seed;
        }

        /** {@code t} is now held in one more place (the seed is never counted: it stays the caller's). */
        void hold(Tensor t) {
            if (t == seed) {
                return;
            }
            int[] c = holders.get(t);
            if (c == null) {
                holders.put(t, new int[] {1});
            } else {
                c[0]++;
            }
        }

        /** One place let go of {@code t}; closes it when it is the pass's and nothing holds it any more. */
        void drop(Tensor t) {
            if (t == null) {
                return;
            }
            int[] c = holders.get(t);
            if (c != null && --c[0] <= 0) {
                holders.remove(t);
                t.close();
            }
        }

        /**
         * A node has run: its output gradients {@code outGrads} leave their pending slot, and its input
         * gradients {@code inGrads} (new tensors or output gradients passed through, see
         * {@link Node#backward}) have been stored where needed. Closes every one of them that nothing holds.
         */
        void nodeDone(Tensor[] outGrads, Tensor[] inGrads) {
            for (Tensor t : outGrads) {
                if (t != null && t != seed) {
                    int[] c = holders.get(t);
                    if (c != null) {
                        c[0]--;
                    }
                }
            }
            for (Tensor t : outGrads) {
                closeIfFree(t, false);
            }
            if (inGrads != null) {
                for (Tensor t : inGrads) {
                    closeIfFree(t, true);
                }
            }
        }

        /** Closes {@code t} when the pass made it and nothing holds it; {@code fresh}: a node just returned it. */
        private void closeIfFree(Tensor t, boolean fresh) {
            if (t == null || t == seed) {
                return;
            }
            int[] c = holders.get(t);
            if (c == null ? fresh : c[0] <= 0) {
                holders.remove(t);
                t.close();
            }
        }

        /** A leaf's gradient {@code old} was replaced by a sum; closes it when the pass made it and nothing else holds it, or the leaf owned it. */
        void leafReplaced(Var leaf, Tensor old) {
            if (old == null) {
                return;
            }
            if (holders.containsKey(old)) {
                drop(old);
            } else if (leaf.gradOwned) {
                old.close();
            }
            leaf.gradOwned = false;
        }

        void touched(Var leaf) {
            leaves.put(leaf, Boolean.TRUE);
        }

        /**
         * Leaves own their new gradient when the pass made it and no other leaf holds the same tensor.
         * Returns whether the seed became a leaf's gradient.
         */
        boolean finish() {
            boolean seedKept = false;
            for (Var leaf : leaves.keySet()) {
                int[] c = holders.get(leaf.grad);
                leaf.gradOwned = c != null && c[0] == 1;
                seedKept |= leaf.grad == seed;
            }
            return seedKept;
        }
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
