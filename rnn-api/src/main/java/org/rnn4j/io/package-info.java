/**
 * Host-side tensor files, independent of any backend: the safetensors format
 * ({@link org.rnn4j.io.SafeTensors}), the data it holds ({@link org.rnn4j.io.HostTensor},
 * {@link org.rnn4j.io.StoredType}) and checks that a checkpoint fits a model
 * ({@link org.rnn4j.io.Checkpoint}). Weights use PyTorch's names and layout, so files move between
 * PyTorch and rnn4j unchanged.
 */
package org.rnn4j.io;
