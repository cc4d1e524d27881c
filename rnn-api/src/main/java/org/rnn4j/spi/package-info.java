/**
 * <b>For backend authors.</b> What a backend implements: {@link org.rnn4j.spi.BackendProvider}
 * (discovered through {@link java.util.ServiceLoader}, register it with {@code @AutoService}),
 * {@link org.rnn4j.spi.Availability}, {@link org.rnn4j.spi.ComputeBackend} (the primitive ops),
 * {@link org.rnn4j.spi.AbstractBackend} (validates every argument once, then calls the backend's
 * protected kernels) and the fused kernels a backend may offer for cell steps and whole sequences.
 *
 * <p>Users do not need this package: they hold a {@link org.rnn4j.tensor.Backend} and compute through
 * {@code org.rnn4j.autograd.F}. It depends only on {@code org.rnn4j.tensor}.
 */
package org.rnn4j.spi;
