/**
 * <b>For users.</b> Layers and models: recurrent cells ({@link org.rnn4j.nn.Cells}: Elman RNN, LSTM,
 * GRU, and the {@link org.rnn4j.nn.Cell} interface for your own), {@link org.rnn4j.nn.Recurrent}
 * (stacked, bidirectional, variable-length, stateful), {@link org.rnn4j.nn.Linear} (over any leading
 * dimensions), {@link org.rnn4j.nn.LayerNorm}, masks, initialisers and module checkpoints, all with
 * PyTorch's semantics and parameter names. Attention layers are in {@link org.rnn4j.nn.attention}.
 */
package org.rnn4j.nn;
