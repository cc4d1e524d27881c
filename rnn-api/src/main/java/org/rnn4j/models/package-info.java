/**
 * <b>For users.</b> Self-describing model files and inference: {@link org.rnn4j.models.Models}
 * ({@code save} writes weights, architecture and vocabularies in one safetensors file; {@code load}
 * rebuilds the model in a fresh JVM), {@link org.rnn4j.models.ModuleFactory} and
 * {@link org.rnn4j.models.ModuleSpec} (rebuilding user modules), and {@link org.rnn4j.models.Predictor}
 * (thread-safe batched inference without a graph).
 */
package org.rnn4j.models;
