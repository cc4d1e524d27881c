/**
 * <b>For users.</b> Optimizers with PyTorch 1.13's update rules (SGD, Adam, AdamW, RMSprop, Adagrad),
 * their state for checkpoints, and gradient clipping ({@link org.rnn4j.optim.GradClip}).
 */
package org.rnn4j.optim;
