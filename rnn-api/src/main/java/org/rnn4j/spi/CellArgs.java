package org.rnn4j.spi;

import java.util.List;
import org.rnn4j.tensor.Tensor;

/**
 * The arguments of one fused cell step ({@link CellKernel#apply}), all 2-D; {@code B} batch, {@code H}
 * hidden size, {@code G} the kind's {@link KernelKind#gates() gates}. Nothing here is modified by a kernel.
 *
 * @param xProj    {@code [B, G*H]}: the input projection {@code x W_ih^T + b_ih} of this step
 * @param h        {@code [B, H]}: the hidden state entering the step
 * @param c        {@code [B, H]}: the cell state entering the step (LSTM); null for the other cells
 * @param weightHh {@code [G*H, H]}: the recurrent weight {@code W_hh}
 * @param biasHh   {@code [G*H]}: the recurrent bias {@code b_hh}, or null for none
 */
public record CellArgs(Tensor xProj, Tensor h, Tensor c, Tensor weightHh, Tensor biasHh) {

    /** The names of the arguments in {@link #tensors()} order, as error messages give them. */
    public static final List<String> NAMES = List.of("xProj", "h", "c", "weightHh", "biasHh");

    /** The arguments of a cell without a cell state (GRU, Elman). */
    public static CellArgs of(Tensor xProj, Tensor h, Tensor weightHh, Tensor biasHh) {
        return new CellArgs(xProj, h, null, weightHh, biasHh);
    }

    /**
     * The tensors in a fixed order, {@code xProj, h, c, weightHh, biasHh} (nulls kept): the order of the
     * gradients {@link FusedKernel.Result#backward} returns.
     */
    public Tensor[] tensors() {
        return new Tensor[] {xProj, h, c, weightHh, biasHh};
    }
}
