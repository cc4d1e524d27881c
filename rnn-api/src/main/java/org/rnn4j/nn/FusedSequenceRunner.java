package org.rnn4j.nn;

import java.util.Arrays;
import java.util.List;
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
        Var proj = SequenceRunner.project(input, p.weightIh(), null); // b_ih goes to the kernel, which adds it at every step
        Var c0 = state.size() > 1 ? state.get(1) : null;
        Var[] r = FusedOps.sequence(kernel, proj, state.get(0), c0, p.recurrent().weightHh(), p.recurrent().biasHh(), p.biasIh(),
                reverse, lengths);
        return new Run(r[0], Arrays.asList(r).subList(1, r.length));
    }

    @Override
    public String describe() {
        return "whole sequence fused:" + kernel.kind().id();
    }
}
