/**
 * <b>For readers of the examples.</b> The stock forecast of {@code forecast --data goog} and {@code forecast --csv FILE --inputs COLS}:
 * the next day's close from several columns' daily log returns, forecast walk-forward with {@code org.rnn4j.train.Fit} and measured
 * against the random walk ({@code org.rnn4j.metrics.RegressionMetrics}, direction accuracy).
 */
package org.rnn4j.examples.stocks;
