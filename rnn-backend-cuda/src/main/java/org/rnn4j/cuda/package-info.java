/**
 * <b>For users with an NVIDIA GPU</b> (and for backend authors reading a device backend): the
 * {@code cuda} backend, which runs rnn4j's tensors and its fused LSTM, GRU and Elman kernels on the GPU
 * through the CUDA driver API (JCuda). Add the jar and it is picked by default where a GPU with compute
 * capability 8.0 or newer and a CUDA 13 driver is present; elsewhere it reports itself unavailable with
 * the reason ({@link org.rnn4j.cuda.CudaDiagnostics} prints it) and the other backends run.
 *
 * <p>Users hold a {@link org.rnn4j.tensor.Backend} as with any backend; {@link org.rnn4j.cuda.CudaBackend}
 * adds device-memory counters ({@link org.rnn4j.cuda.CudaMemoryStats}) and {@code trimMemory}. The kernels'
 * CUDA C sources are in {@code src/main/cuda} of the module.
 */
package org.rnn4j.cuda;
