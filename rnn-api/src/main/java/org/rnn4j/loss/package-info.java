/**
 * <b>For users.</b> Loss functions with PyTorch's semantics ({@link org.rnn4j.loss.Losses}): cross-entropy
 * (class weights, ignore index, label smoothing), NLL, MSE, binary cross-entropy with logits ({@code pos_weight}) and Huber, with {@link org.rnn4j.loss.Reduction}s.
 * The CTC loss ({@code Losses.ctc}) is computed by {@link org.rnn4j.loss.Ctc}.
 */
package org.rnn4j.loss;
