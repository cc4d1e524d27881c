/**
 * <b>For readers of the examples.</b> The time-series forecasting application ({@code forecast}).
 */
package org.rnn4j.examples.forecast;
