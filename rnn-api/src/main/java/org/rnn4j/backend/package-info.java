/**
 * <b>For users.</b> Finding and selecting a backend: {@link org.rnn4j.backend.Backends} (explicit name,
 * then {@code -Drnn4j.backend}, then {@code RNN4J_BACKEND}, then the available provider of highest
 * priority; {@code Backends.main} prints the diagnostics) and {@link org.rnn4j.backend.BackendException}
 * (an unknown, unavailable or broken backend, with what to do about it).
 */
package org.rnn4j.backend;
