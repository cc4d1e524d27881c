package org.rnn4j.spi;

import java.util.List;
import org.rnn4j.tensor.Tensor;

/**
 * The arguments of one fused sequence run ({@link SequenceKernel#apply}): one layer and direction over
 * {@code T} steps; {@code B} batch, {@code H} hidden size, {@code G} the kind's
 * {@link KernelKind#gates() gates}. Nothing here is modified by a kernel.
 *
 * @param xProj    {@code [B, T, G*H]}: the input projection {@code x W_ih^T} of every step, with or
 *                 without {@code b_ih}
 * @param h0       {@code [B, H]}: the initial hidden state
 * @param c0       {@code [B, H]}: the initial cell state (LSTM); null for the other cells
 * @param weightHh {@code [G*H, H]}: the recurrent weight {@code W_hh}
 * @param biasHh   {@code [G*H]}: the recurrent bias {@code b_hh}, or null
 * @param biasIh   {@code [G*H]}: an input bias added to every step of {@code xProj}, or null
 * @param reverse  run the steps {@code T-1 .. 0} instead of {@code 0 .. T-1}
 * @param lengths  the valid length of each sequence, or null when all are {@code T}
 * @param backward whether the caller may run the result's {@link FusedKernel.Result#backward}: when false
 *                 the kernel keeps no per-step activations (only step buffers of {@code O(B*G*H)} and the
 *                 outputs), and that result's backward throws {@link IllegalStateException}; the outputs
 *                 are the same, bit for bit. {@code org.rnn4j.nn} passes false when graph recording is off
 *                 ({@code Grad.disabled()}) or no input requires a gradient
 */
public record SequenceArgs(Tensor xProj, Tensor h0, Tensor c0, Tensor weightHh, Tensor biasHh, Tensor biasIh, boolean reverse,
                           Lengths lengths, boolean backward) {

    /** The arguments of a run whose result may be backpropagated ({@link #backward()} true). */
    public SequenceArgs(Tensor xProj, Tensor h0, Tensor c0, Tensor weightHh, Tensor biasHh, Tensor biasIh, boolean reverse,
                        Lengths lengths) {
        this(xProj, h0, c0, weightHh, biasHh, biasIh, reverse, lengths, true);
    }

    /** The names of the tensor arguments in {@link #tensors()} order, as error messages give them. */
    public static final List<String> NAMES = List.of("xProj", "h0", "c0", "weightHh", "biasHh", "biasIh");

    /**
     * The tensors in a fixed order, {@code xProj, h0, c0, weightHh, biasHh, biasIh} (nulls kept): the order
     * of the gradients {@link FusedKernel.Result#backward} returns.
     */
    public Tensor[] tensors() {
        return new Tensor[] {xProj, h0, c0, weightHh, biasHh, biasIh};
    }

    /** The same arguments with {@code lengths} in place of {@link #lengths()}. */
    SequenceArgs withLengths(Lengths l) {
        return new SequenceArgs(xProj, h0, c0, weightHh, biasHh, biasIh, reverse, l, backward);
    }
}
