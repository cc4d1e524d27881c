/**
 * Turning a model's per-step scores into output sequences (decoding), for users of sequence models;
 * {@link org.rnn4j.decode.CtcDecoder} decodes CTC outputs.
 */
package org.rnn4j.decode;
