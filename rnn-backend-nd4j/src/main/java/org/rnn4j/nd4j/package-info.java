/**
 * <b>Internal to the {@code nd4j} backend.</b> The backend on ND4J ({@code nd4j-native}): provider,
 * runtime set-up (threads, OpenBLAS core type, off-heap memory), tensors and fused kernels. Users
 * select it with {@code Backends.get("nd4j")}; {@link org.rnn4j.nd4j.Nd4jDiagnostics} prints what it runs on.
 */
package org.rnn4j.nd4j;
