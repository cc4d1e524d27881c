/**
 * <b>For users.</b> Data for training and evaluation of sequence models (what
 * {@code torch.utils.data} and DL4J's {@code DataSetIterator} give their users):
 * <ul>
 *   <li>{@link org.rnn4j.data.Vocabulary}: tokens (characters or words) to ids and back, with special
 *       tokens, built from a corpus, stored in the model's safetensors file;</li>
 *   <li>{@link org.rnn4j.data.Dataset} (indexed examples) and {@link org.rnn4j.data.DataLoader}
 *       (batches, seeded shuffling per epoch, drop-last, a collate function, a resumable position, and
 *       loading on a background thread), with {@link org.rnn4j.data.BatchSampler}s for sequential,
 *       shuffled and length-bucketed batches;</li>
 *   <li>{@link org.rnn4j.data.Collate}: padded batches with lengths ({@link org.rnn4j.data.PaddedSequences}
 *       for ids and targets, {@link org.rnn4j.data.PaddedFeatures} for feature frames);</li>
 *   <li>{@link org.rnn4j.data.SlidingWindows} over a time series and {@link org.rnn4j.data.TokenStreams}
 *       for truncated back-propagation through time over one long text;</li>
 *   <li>{@link org.rnn4j.data.Splits}: seeded random and stratified train / validation / test splits.</li>
 * </ul>
 * Everything random here is drawn from a seed with its own SplitMix64 stream, so orders and splits are
 * the same in every run and on every JDK. Data is held in plain Java arrays until a batch is turned
 * into backend tensors ({@code toTensor}), on the thread that uses the backend.
 */
package org.rnn4j.data;
