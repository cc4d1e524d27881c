/**
 * <b>For people measuring rnn4j.</b> The cross-backend and cross-framework benchmark: the CLI
 * ({@code rnn-bench.jar}), its workloads, the DL4J and PyTorch peers, reports and JMH benchmarks.
 */
package org.rnn4j.bench;
