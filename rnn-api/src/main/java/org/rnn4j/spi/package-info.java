/**
 * <b>For backend authors.</b> What a backend implements: {@link org.rnn4j.spi.BackendProvider}
 * (discovered through {@link java.util.ServiceLoader}, register it with {@code @AutoService}),
 * {@link org.rnn4j.spi.Availability}, {@link org.rnn4j.spi.ComputeBackend} (the primitive ops),
 * {@link org.rnn4j.spi.AbstractBackend} (validates every argument once, then calls the backend's
 * protected kernels; closes once) and the fused kernels a backend may offer, one per
 * {@link org.rnn4j.spi.KernelKind}, through its one hook {@code createKernel}:
 * {@link org.rnn4j.spi.CellKernel} for a cell step ({@link org.rnn4j.spi.CellArgs}) and
 * {@link org.rnn4j.spi.SequenceKernel} for a whole sequence ({@link org.rnn4j.spi.SequenceArgs}, with
 * {@link org.rnn4j.spi.Lengths}), each checking its arguments and output gradients once
 * ({@link org.rnn4j.spi.FusedKernel}) before the backend's protected {@code forward} runs.
 *
 * <p>Users do not need this package: they hold a {@link org.rnn4j.tensor.Backend} and compute through
 * {@code org.rnn4j.autograd.F}. It depends only on {@code org.rnn4j.tensor}.
 */
package org.rnn4j.spi;
