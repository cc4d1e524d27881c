/**
 * <b>For users.</b> Training: {@link org.rnn4j.train.Trainer} runs one step (forward, backward, finite
 * check naming the step and parameter, clipping, update).
 */
package org.rnn4j.train;
