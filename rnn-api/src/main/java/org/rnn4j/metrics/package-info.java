/**
 * <b>For users.</b> Evaluation metrics for judging a model: classification ({@link org.rnn4j.metrics.Accuracy},
 * {@link org.rnn4j.metrics.TopKAccuracy}, {@link org.rnn4j.metrics.ConfusionMatrix} with per-class
 * precision, recall and F1 and their macro and weighted averages), language modelling
 * ({@link org.rnn4j.metrics.Perplexity}), regression ({@link org.rnn4j.metrics.RegressionMetrics}: RMSE,
 * MAE, MAPE), translation ({@link org.rnn4j.metrics.Bleu}: corpus BLEU as nltk's {@code corpus_bleu}) and
 * recognition ({@link org.rnn4j.metrics.ErrorRate}: character and word error rates).
 *
 * <p>Each is a streaming accumulator: {@code update} it once per batch (it reads its arguments and keeps
 * only counts and sums, never the batch), then read the result over everything seen; {@code reset()}
 * starts over (e.g. per epoch). Scores given as a {@link org.rnn4j.tensor.Tensor} are copied to the host.
 * Accumulators are not thread-safe.
 */
package org.rnn4j.metrics;
