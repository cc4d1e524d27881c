/**
 * <b>For users.</b> Tensors and the user's handle on a backend: {@link org.rnn4j.tensor.Tensor}
 * (an n-dimensional array owned by one backend), {@link org.rnn4j.tensor.DType},
 * {@link org.rnn4j.tensor.Shapes}, {@link org.rnn4j.tensor.Backend} (names the backend and creates
 * tensors), {@link org.rnn4j.tensor.BackendOptions} and {@link org.rnn4j.tensor.Tensors} (moving a
 * tensor between backends). Obtain a backend with {@link org.rnn4j.backend.Backends}.
 *
 * <p>This package depends on nothing else in rnn4j: the backend SPI ({@code org.rnn4j.spi}) builds on
 * it, never the other way round.
 */
package org.rnn4j.tensor;
