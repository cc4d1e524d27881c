package org.rnn4j.nn.attention;

import org.rnn4j.autograd.Var;

/**
 * What an attention layer returns.
 *
 * @param output  the attended values, {@code [B, Tq, H]} (the context vectors of additive attention)
 * @param weights the attention weights {@code [B, Tq, S]}: for each query a distribution over the keys,
 *                0 at masked keys (averaged over heads for multi-head attention); differentiable
 */
public record AttentionResult(Var output, Var weights) {
}
