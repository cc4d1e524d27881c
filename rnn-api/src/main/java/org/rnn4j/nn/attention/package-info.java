/**
 * <b>For users</b> building sequence-to-sequence and encoder models: attention layers with PyTorch's
 * semantics and parameter names. {@link org.rnn4j.nn.attention.AdditiveAttention} (Bahdanau, as in
 * PyTorch's seq2seq translation tutorial) and {@link org.rnn4j.nn.attention.MultiheadAttention}
 * ({@code torch.nn.MultiheadAttention} with {@code batch_first=True}), both batch-first, both taking key
 * padding from per-sequence lengths or a mask, both returning the attention weights with the output
 * ({@link org.rnn4j.nn.attention.AttentionResult}).
 */
package org.rnn4j.nn.attention;
