package org.rnn4j.spi;

import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * A fused whole-sequence run of one of the {@code *_SEQUENCE} {@link KernelKind}s: one layer and one
 * direction over all steps as one graph node. A backend extends this and implements {@link #forward};
 * callers use {@link #apply}, which checks the arguments first.
 *
 * <p>Contract (see {@link SequenceArgs}): each step is the kind's cell step ({@link CellKernel}) on
 * {@code xProj[:, t] + b_ih}; steps run {@code t = 0 .. T-1}, or {@code T-1 .. 0} when reversed. Steps
 * {@code t >= lengths[b]} of sequence {@code b} are padding: their output is 0, they leave the state
 * unchanged (so a reverse run starts at step {@code lengths[b] - 1} from {@code h0}) and their
 * {@code xProj} gets a zero gradient. The final states are the states after each sequence's last valid
 * step. Backward gives the gradients of {@code xProj, h0, c0, weightHh, biasHh, biasIh}, backpropagating
 * through all steps.
 *
 * <p>A run with {@link SequenceArgs#backward()} false is forward only: the kernel keeps nothing per step
 * (its memory beyond the arguments and outputs is {@code O(B*G*H)}, not {@code O(T*B*G*H)}), its
 * outputs equal those of a run with backward true bit for bit, and its result's {@link Result#backward}
 * throws {@link IllegalStateException}.
 */
public abstract class SequenceKernel extends FusedKernel {

    /** A kernel of the sequence {@code kind} for {@code backend}. */
    protected SequenceKernel(AbstractBackend backend, KernelKind kind) {
        super(backend, kind, true);
    }

    /**
     * Runs the sequence; the result keeps what its backward pass needs, or nothing when
     * {@code args.backward()} is false (then its backward throws {@link IllegalStateException}). Modifies
     * nothing.
     *
     * @throws IllegalArgumentException naming the argument, what was given and what was expected, when an
     *                                  argument is missing, belongs to another backend, has a wrong shape
     *                                  or dtype, or the lengths do not fit the batch and the steps
     * @throws IllegalStateException    when the backend was closed
     */
    public final Result apply(SequenceArgs args) {
        if (args == null) {
            throw new IllegalArgumentException(kind().id()
                    + ": args is null; expected SequenceArgs(xProj, h0, c0, weightHh, biasHh, biasIh, reverse, lengths, backward)");
        }
        require("xProj", args.xProj());
        int[] bh = recurrentArguments("h0", args.h0(), "c0", args.c0(), args.weightHh(), args.biasHh());
        optional("biasIh", args.biasIh());
        int batch = bh[0];
        int hidden = bh[1];
        int g = kind().gates() * hidden;
        int[] xs = args.xProj().shape();
        if (xs.length != 3 || xs[1] < 1) {
            throw new IllegalArgumentException(kind().id() + ": xProj has shape " + Shapes.str(xs) + ", expected [B, T, "
                    + gh() + "] with T >= 1 (B = " + batch + ", H = " + hidden + " from h0)");
        }
        int steps = xs[1];
        String from = "B = " + batch + ", H = " + hidden + " from h0, T = " + steps + " from xProj";
        shape("xProj", args.xProj(), "[B, T, " + gh() + "]", from, batch, steps, g);
        recurrentShapes("c0", args.c0(), args.weightHh(), args.biasHh(), batch, hidden, from);
        shape("biasIh", args.biasIh(), "[" + gh() + "]", from, g);
        Tensor[] tensors = args.tensors();
        DType dtype = oneDType(tensors, SequenceArgs.NAMES);
        Lengths lengths = args.lengths() == null ? Lengths.full(batch, steps) : args.lengths().forShape(kind().id(), batch, steps);
        SequenceArgs checked = lengths == args.lengths() ? args : args.withLengths(lengths);
        return checked(forward(checked, new Dims(batch, steps, hidden, dtype)), tensors, dtype, args.backward());
    }

    /**
     * The backend's run on checked arguments; {@code args.lengths()} is never null here (all {@code T} when
     * the caller gave none). Its result's {@link Result#backward} receives exactly one gradient per output,
     * at least one of them non-null, each checked against its output; it is never called when
     * {@code args.backward()} is false, so such a run should keep no per-step activations (return
     * {@link Result#outputsOnly}).
     */
    protected abstract Result forward(SequenceArgs args, Dims dims);
}
