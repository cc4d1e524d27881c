/**
 * <b>For users.</b> Turning a model's per-step scores into output sequences (decoding):
 * {@link org.rnn4j.decode.CtcDecoder} decodes the outputs of a network trained with CTC;
 * {@link org.rnn4j.decode.Greedy}, {@link org.rnn4j.decode.Sampler} (temperature, top-k and top-p sampling
 * with a seeded random generator) and {@link org.rnn4j.decode.BeamSearch} (with length normalisation)
 * generate from an autoregressive model written as a {@link org.rnn4j.decode.StepFunction}: (state, last
 * token) to (log-probabilities of the next token, new state). A recurrent decoder's state is its hidden
 * state; a Markov model's is nothing.
 *
 * <p>The autoregressive decoders never modify the states they are given: a step returns a new state, and
 * beam search may step one state several times (once per surviving beam). Tokens are ints in
 * {@code [0, V)}; the begin-of-sequence token is only fed to the first step and never returned.
 */
package org.rnn4j.decode;
