package org.rnn4j.nn;

import java.util.Arrays;
import java.util.List;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceKernel;

/**
 * A direction as one call of the backend's sequence kernel: the input projection {@code x W_ih^T} of all
 * steps as one matmul, then the kernel, which adds {@code b_ih} at every step and runs the recurrence.
 */
final class FusedSequenceRunner implements SequenceRunner {
    private final SequenceKernel kernel;

    FusedSequenceRunner(SequenceKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public Run run(Var input, DirectionParams p, List<Var> state, boolean reverse, Lengths lengths) {
        Var c0 = state.size() > 1 ? state.get(1) : null;
        Var weightHh = p.recurrent().weightHh();
        Var biasHh = p.recurrent().biasHh();
        // SequenceRunner.project's steps, kept apart so that a forward-only call can close them; b_ih goes to the kernel
        int[] s = input.shape();
        Var flat = F.reshape(input, s[0] * s[1], s[2]);
        Var product = F.matmul(flat, p.weightIh(), false, true);
        Var proj = F.reshape(product, s[0], s[1], p.weightIh().dim(0));
        Var[] r = FusedOps.sequence(kernel, proj, state.get(0), c0, weightHh, biasHh, p.biasIh(), reverse, lengths);
        if (!Grad.recording(proj, state.get(0), c0, weightHh, biasHh, p.biasIh())) {
            // forward only (FusedOps.sequence's own test: the kernel kept nothing for backward): no graph holds the
            // projection [B, T, G*H], so it is closed once the kernel has read it, and a backend that recycles arrays
            // (the cpu backend's pool) reuses it for the next call instead of allocating anew
            flat.value().close();
            product.value().close();
            proj.value().close();
        }
        return new Run(r[0], Arrays.asList(r).subList(1, r.length));
    }

    @Override
    public String describe() {
        return "whole sequence fused:" + kernel.kind().id();
    }
}
