package org.rnn4j.spi;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * A backend's fused implementation of a cell step ({@link CellKernel}) or of a whole sequence of one layer
 * and direction ({@link SequenceKernel}), entered into the autograd graph as one node. A backend offers
 * its kernels through {@link AbstractBackend#createKernel(KernelKind)}; callers find them with
 * {@link ComputeBackend#cellKernel} and {@link ComputeBackend#sequenceKernel}.
 *
 * <p>As {@link AbstractBackend} does for the primitive ops, the public {@code apply} of the two subclasses
 * checks every argument once (that each tensor belongs to the kernel's backend, the shapes, one dtype,
 * the lengths) and then calls the backend's protected {@code forward}, which may assume valid input; the
 * {@link Result} it returns checks the output gradients of {@link Result#backward} (their number,
 * backend, shapes and dtype) before the backend's backward pass runs. Messages name the kernel, the
 * argument, what was given and what was expected.
 *
 * <p>Kernels are stateless: everything a backward pass needs lives in its {@link Result}, so one kernel
 * serves every thread and batch size.
 */
public abstract class FusedKernel {
    private final AbstractBackend backend;
    private final KernelKind kind;

    FusedKernel(AbstractBackend backend, KernelKind kind, boolean sequence) {
        if (backend == null) {
            throw new IllegalArgumentException("FusedKernel: backend is null");
        }
        if (kind == null) {
            throw new IllegalArgumentException("FusedKernel: kind is null; expected one of " + Arrays.toString(KernelKind.values()));
        }
        if (kind.sequence() != sequence) {
            throw new IllegalArgumentException(getClass().getName() + ": " + kind.id() + " is a " + (kind.sequence() ? "sequence" : "cell-step")
                    + " kind; its kernel extends " + (kind.sequence() ? "SequenceKernel" : "CellKernel"));
        }
        this.backend = backend;
        this.kind = kind;
    }

    /** What this kernel computes. */
    public final KernelKind kind() {
        return kind;
    }

    /** The backend whose tensors this kernel takes and returns. */
    public final ComputeBackend backend() {
        return backend;
    }

    /**
     * The sizes of one checked call.
     *
     * @param batch  {@code B}
     * @param steps  {@code T} of a sequence run; 1 for a cell step
     * @param hidden {@code H}
     * @param dtype  the dtype of every argument
     */
    public record Dims(int batch, int steps, int hidden, DType dtype) {
    }

    /** The outputs of one fused forward call and the matching backward pass. */
    public interface Result {
        /**
         * The forward outputs: for a cell step {@code h'} (and {@code c'} for LSTM), each {@code [B, H]};
         * for a sequence {@code y [B, T, H]} (the h of every step, 0 at padded steps), then {@code h_T}
         * (and {@code c_T}), each {@code [B, H]}.
         */
        Tensor[] outputs();

        /**
         * The gradients of the arguments, in the order of {@link CellArgs#tensors()} or
         * {@link SequenceArgs#tensors()} (null for a null argument), given the gradient of each output in
         * {@link #outputs()} order (a null entry, or a null array, means a zero gradient). May be called
         * more than once; modifies nothing.
         */
        Tensor[] backward(Tensor... outputGradients);

        /**
         * Frees what this result kept for its backward pass (per-step activations, workspaces), e.g. returns
         * the arrays to the backend's pool; {@link #backward} must not be called afterwards. The outputs are
         * not affected (they belong to their holders). Called at most once, by the autograd node that owns
         * the result when its graph is freed. The default keeps nothing to free.
         */
        default void release() {
        }

        /** A result with the fixed {@code outputs} (handed out as copies of the array) whose backward pass is {@code backward}. */
        static Result of(Tensor[] outputs, Function<Tensor[], Tensor[]> backward) {
            return of(outputs, backward, null);
        }

        /**
         * {@link #of(Tensor[], Function)} whose {@link #release()} runs {@code release} (null: nothing) once;
         * a {@link #backward} after it throws {@link IllegalStateException}.
         */
        static Result of(Tensor[] outputs, Function<Tensor[], Tensor[]> backward, Runnable release) {
            Tensor[] kept = outputs.clone();
            return new Result() {
                private boolean released;

                @Override
                public Tensor[] outputs() {
                    return kept.clone();
                }

                @Override
                public Tensor[] backward(Tensor... outputGradients) {
                    if (released) {
                        throw new IllegalStateException("this fused result was released (its graph was freed): its activations are gone;"
                                + " compute the forward pass again to backpropagate");
                    }
                    return backward.apply(outputGradients);
                }

                @Override
                public void release() {
                    if (!released) {
                        released = true;
                        if (release != null) {
                            release.run();
                        }
                    }
                }
            };
        }

        /**
         * A forward-only result ({@link SequenceArgs#backward()} false): the fixed {@code outputs} and no
         * backward pass (its {@link #backward} throws {@link IllegalStateException}); keeps nothing else.
         */
        static Result outputsOnly(Tensor... outputs) {
            return of(outputs, g -> {
                throw new IllegalStateException("this fused result was computed forward only (SequenceArgs.backward false)"
                        + " and kept no activations; it has no backward pass");
            });
        }
    }

    @Override
    public String toString() {
        return backend.name() + " fused " + kind.id();
    }

    // ---- checks shared by cell and sequence kernels ----

    /** Throws unless {@code t} is non-null and belongs to this kernel's backend. */
    final void require(String name, Tensor t) {
        backend.own(kind.id() + " " + name, t);
    }

    /** {@link #require} unless {@code t} is null. */
    final void optional(String name, Tensor t) {
        if (t != null) {
            require(name, t);
        }
    }

    /** The cell state: required for LSTM, absent for the others. */
    final void cellState(String name, Tensor t) {
        if (kind.hasCellState()) {
            require(name, t);
        } else if (t != null) {
            throw new IllegalArgumentException(kind.id() + ": " + name + " must be null: a " + kind.cell()
                    + " cell has no cell state, got a tensor of shape " + Shapes.str(t.shape()));
        }
    }

    /**
     * Checks what cell steps and sequences share, after {@code xProj}: the entering state {@code h} (2-D,
     * extents at least 1) and {@code c}, {@code weightHh} and {@code biasHh}, each owned by the backend.
     *
     * @return {@code {B, H}} from {@code h}
     */
    final int[] recurrentArguments(String hName, Tensor h, String cName, Tensor c, Tensor weightHh, Tensor biasHh) {
        require(hName, h);
        cellState(cName, c);
        require("weightHh", weightHh);
        optional("biasHh", biasHh);
        int[] s = h.shape();
        if (s.length != 2 || s[0] < 1 || s[1] < 1) {
            throw new IllegalArgumentException(kind.id() + ": " + hName + " has shape " + Shapes.str(s)
                    + ", expected [B, H] with B, H >= 1");
        }
        return s;
    }

    /** The shapes of {@code c}, {@code weightHh} and {@code biasHh} for batch {@code B} and hidden size {@code H}. */
    final void recurrentShapes(String cName, Tensor c, Tensor weightHh, Tensor biasHh, int batch, int hidden, String from) {
        int g = kind.gates() * hidden;
        shape(cName, c, "[B, H]", from, batch, hidden);
        shape("weightHh", weightHh, "[" + gh() + ", H]", from, g, hidden);
        shape("biasHh", biasHh, "[" + gh() + "]", from, g);
    }

    /** Throws unless {@code t} (may be null) has shape {@code expected}, described as {@code form} and {@code from}. */
    final void shape(String name, Tensor t, String form, String from, int... expected) {
        if (t != null && !Arrays.equals(t.shape(), expected)) {
            throw new IllegalArgumentException(kind.id() + ": " + name + " has shape " + Shapes.str(t.shape()) + ", expected "
                    + form + " = " + Shapes.str(expected) + " (" + from + ")");
        }
    }

    /** {@code [G*H]} written with the kind's gate count, e.g. {@code 4*H}. */
    final String gh() {
        return kind.gates() == 1 ? "H" : kind.gates() + "*H";
    }

    /** Throws unless every non-null tensor has the dtype of the first. */
    final DType oneDType(Tensor[] tensors, List<String> names) {
        DType dt = tensors[0].dtype();
        for (int i = 1; i < tensors.length; i++) {
            if (tensors[i] != null && tensors[i].dtype() != dt) {
                throw new IllegalArgumentException(kind.id() + ": " + names.get(i) + " is " + tensors[i].dtype() + " but " + names.get(0)
                        + " is " + dt + "; all arguments must have one dtype");
            }
        }
        return dt;
    }

    /** The names of the outputs, for messages. */
    final List<String> outputNames() {
        if (kind.sequence()) {
            return kind.hasCellState() ? List.of("y", "h_T", "c_T") : List.of("y", "h_T");
        }
        return kind.hasCellState() ? List.of("h'", "c'") : List.of("h'");
    }

    /**
     * The backend's result, with its output gradients checked once before its backward pass runs; when
     * {@code backward} is false (a forward-only run) its backward throws {@link IllegalStateException}.
     */
    final Result checked(Result inner, Tensor[] inputs, DType dtype, boolean backward) {
        if (inner == null) {
            throw new IllegalStateException(this + ": the backend's forward returned null");
        }
        Tensor[] outs = inner.outputs();
        if (outs == null || outs.length != kind.outputCount()) {
            throw new IllegalStateException(this + ": the backend's forward returned " + (outs == null ? "null" : outs.length + " outputs")
                    + ", expected " + kind.outputCount() + " " + outputNames());
        }
        return Result.of(outs, outputGradients -> {
            if (!backward) {
                throw new IllegalStateException(kind.id() + " backward: the run was forward only (SequenceArgs.backward false), so it"
                        + " kept no activations; run the kernel with backward true (graph recording on and an input requiring a"
                        + " gradient) to backpropagate");
            }
            Tensor[] g = checkGradients(outputGradients, outs, dtype);
            if (g == null) {
                return zeroGradients(inputs);
            }
            Tensor[] grads = inner.backward(g);
            if (grads == null || grads.length != inputs.length) {
                throw new IllegalStateException(this + ": the backend's backward returned "
                        + (grads == null ? "null" : grads.length + " gradients") + ", expected " + inputs.length);
            }
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] == null) {
                    grads[i] = null;
                }
            }
            return grads;
        }, inner::release);
    }

    /** The checked output gradients (a fresh array), or null when all are zero. */
    private Tensor[] checkGradients(Tensor[] given, Tensor[] outputs, DType dtype) {
        List<String> names = outputNames();
        if (given == null) {
            return null;
        }
        if (given.length != outputs.length) {
            throw new IllegalArgumentException(kind.id() + " backward: expected " + outputs.length + " output gradients " + names
                    + ", got " + given.length);
        }
        boolean any = false;
        for (int i = 0; i < given.length; i++) {
            Tensor g = given[i];
            if (g == null) {
                continue;
            }
            backend.own(kind.id() + " output gradient " + names.get(i), g);
            if (!Arrays.equals(g.shape(), outputs[i].shape())) {
                throw new IllegalArgumentException(kind.id() + " backward: the gradient of " + names.get(i) + " has shape "
                        + Shapes.str(g.shape()) + ", expected " + Shapes.str(outputs[i].shape()) + " (the shape of " + names.get(i) + ")");
            }
            if (g.dtype() != dtype) {
                throw new IllegalArgumentException(kind.id() + " backward: the gradient of " + names.get(i) + " is " + g.dtype()
                        + " but the forward pass ran in " + dtype);
            }
            any = true;
        }
        return any ? given.clone() : null;
    }

    /** Zero gradients for every non-null input (the gradients of all-zero output gradients). */
    private Tensor[] zeroGradients(Tensor[] inputs) {
        Tensor[] z = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null) {
                z[i] = backend.zeros(inputs[i].dtype(), inputs[i].shape());
            }
        }
        return z;
    }
}
