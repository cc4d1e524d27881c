/**
 * <b>For users.</b> Turning a model's per-step scores into output sequences (decoding):
 * {@link org.rnn4j.decode.CtcDecoder} decodes the outputs of a network trained with CTC.
 */
package org.rnn4j.decode;
