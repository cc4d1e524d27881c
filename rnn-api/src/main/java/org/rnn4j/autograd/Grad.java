package org.rnn4j.autograd;

/**
 * Thread-local switch for graph recording. Inside {@code try (var off = Grad.disabled()) { ... }} no
 * op records a node, as in PyTorch's {@code torch.no_grad()}: use it for inference and for optimizer
 * updates.
 */
public final class Grad {
    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[1]);

    private Grad() {
    }

    /** Whether ops record graph nodes on this thread now. */
    public static boolean enabled() {
        return DISABLED.get()[0] == 0;
    }

    /**
     * Whether an op on {@code inputs} records a node now: recording is on on this thread and some
     * (non-null) input requires a gradient. Ops whose backward can then never run may keep nothing for it
     * (e.g. the fused sequence kernels' forward-only runs).
     */
    public static boolean recording(Var... inputs) {
        if (!enabled()) {
            return false;
        }
        for (Var v : inputs) {
            if (v != null && v.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** Disables recording until the returned scope closes (nestable). */
    public static Scope disabled() {
        DISABLED.get()[0]++;
        return () -> DISABLED.get()[0]--;
    }

    /** A scope that restores the previous recording state on close. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
