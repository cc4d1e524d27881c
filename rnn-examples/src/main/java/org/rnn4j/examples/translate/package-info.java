/**
 * <b>For readers of the examples.</b> The translation application ({@code translate}, {@code translate predict}): an
 * attention encoder-decoder ({@link org.rnn4j.examples.translate.Seq2Seq}) trained with {@code Fit} on sentence pairs,
 * decoded greedily or by beam search, scored by corpus BLEU, saved and loaded as a self-describing model file.
 */
package org.rnn4j.examples.translate;
