/**
 * <b>For users and cell authors.</b> Reverse-mode automatic differentiation:
 * {@link org.rnn4j.autograd.Var} (a tensor in the graph; parameters accumulate gradients),
 * {@link org.rnn4j.autograd.F} (the differentiable ops every cell, layer and loss is built from) and
 * {@link org.rnn4j.autograd.Grad} ({@code Grad.disabled()} for inference without a graph). An op not
 * built from {@code F} (a host-side algorithm such as the CTC loss) subclasses
 * {@link org.rnn4j.autograd.Node} and enters the graph with {@code Node.record}.
 */
package org.rnn4j.autograd;
