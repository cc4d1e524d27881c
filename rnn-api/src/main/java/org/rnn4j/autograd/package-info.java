/**
 * <b>For users and cell authors.</b> Reverse-mode automatic differentiation:
 * {@link org.rnn4j.autograd.Var} (a tensor in the graph; parameters accumulate gradients),
 * {@link org.rnn4j.autograd.F} (the differentiable ops every cell, layer and loss is built from) and
 * {@link org.rnn4j.autograd.Grad} ({@code Grad.disabled()} for inference without a graph).
 */
package org.rnn4j.autograd;
