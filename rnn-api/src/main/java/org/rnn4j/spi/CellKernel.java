package org.rnn4j.spi;

import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * A fused cell step of one of the {@code *_CELL} {@link KernelKind}s. A backend extends this and
 * implements {@link #forward}; callers use {@link #apply}, which checks the arguments first.
 *
 * <p>Contract (see {@link CellArgs}; gate order and math in {@link KernelKind}): with gate pre-activations
 * {@code a = xProj + h W_hh^T + b_hh}, LSTM gives {@code c' = σ(a_f) c + σ(a_i) tanh(a_g)},
 * {@code h' = σ(a_o) tanh(c')}; GRU gives {@code h' = (1 - z) n + z h} with {@code r, z = σ(..)},
 * {@code n = tanh(x_n + r (W_hn h + b_hn))}; Elman gives {@code h' = act(a)}. Backward gives the gradients
 * of {@code xProj, h, c, weightHh, biasHh}.
 */
public abstract class CellKernel extends FusedKernel {

    /** A kernel of the cell-step {@code kind} for {@code backend}. */
    protected CellKernel(AbstractBackend backend, KernelKind kind) {
        super(backend, kind, false);
    }

    /**
     * Runs the step; the result keeps what its backward pass needs. Modifies nothing.
     *
     * @throws IllegalArgumentException naming the argument, what was given and what was expected, when an
     *                                  argument is missing, belongs to another backend, has a wrong shape
     *                                  or another dtype than {@code xProj}
     * @throws IllegalStateException    when the backend was closed
     */
    public final Result apply(CellArgs args) {
        if (args == null) {
            throw new IllegalArgumentException(kind().id() + ": args is null; expected CellArgs(xProj, h, c, weightHh, biasHh)");
        }
        require("xProj", args.xProj());
        int[] bh = recurrentArguments("h", args.h(), "c", args.c(), args.weightHh(), args.biasHh());
        int batch = bh[0];
        int hidden = bh[1];
        String from = "B = " + batch + ", H = " + hidden + " from h";
        shape("xProj", args.xProj(), "[B, " + gh() + "]", from, batch, kind().gates() * hidden);
        recurrentShapes("c", args.c(), args.weightHh(), args.biasHh(), batch, hidden, from);
        Tensor[] tensors = args.tensors();
        DType dtype = oneDType(tensors, CellArgs.NAMES);
        return checked(forward(args, new Dims(batch, 1, hidden, dtype)), tensors, dtype, true);
    }

    /**
     * The backend's step on checked arguments. Its result's {@link Result#backward} receives exactly one
     * gradient per output, at least one of them non-null, each checked against its output.
     */
    protected abstract Result forward(CellArgs args, Dims dims);
}
