/**
 * <b>Internal to the {@code cpu} backend.</b> The plain-Java backend (float32 and float64): its
 * provider, tensors, GEMM, elementwise kernels and fused cell and sequence kernels. Users select it
 * with {@code Backends.get("cpu")} and never touch these classes.
 */
package org.rnn4j.cpu;
