/**
 * <b>For readers of the examples.</b> The spoken-digit applications ({@code speech digits}, {@code speech connected},
 * {@code speech predict}) on the Free Spoken Digit Dataset: the audio front end of {@code org.rnn4j.audio}, recurrent
 * models trained with {@code org.rnn4j.train.Fit} (cross-entropy, or CTC with {@code org.rnn4j.decode.CtcDecoder}),
 * self-describing model files ({@code org.rnn4j.models.Models}).
 */
package org.rnn4j.examples.speech;
