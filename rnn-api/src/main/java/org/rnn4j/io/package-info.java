/**
 * Host-side tensor files, independent of any backend, for users reading and writing weights and for
 * code that loads them into models: the safetensors format ({@link org.rnn4j.io.SafeTensors}, with
 * {@link org.rnn4j.io.SafeTensorsIndex} for reading a header alone and then only the tensors needed),
 * the data it holds ({@link org.rnn4j.io.HostTensor}, {@link org.rnn4j.io.StoredType}) and the checks
 * that a checkpoint fits a model ({@link org.rnn4j.io.CheckpointCompatibility}; saving and loading whole
 * modules is {@link org.rnn4j.nn.Checkpoints}). Weights use PyTorch's names and layout, so files move between
 * PyTorch and rnn4j unchanged.
 */
package org.rnn4j.io;
