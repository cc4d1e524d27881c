/**
 * <b>For users.</b> Learning-rate schedules for training a model: PyTorch 1.13's
 * {@code torch.optim.lr_scheduler} with its exact values ({@link org.rnn4j.optim.schedule.StepLR},
 * {@link org.rnn4j.optim.schedule.MultiStepLR}, {@link org.rnn4j.optim.schedule.ExponentialLR},
 * {@link org.rnn4j.optim.schedule.CosineAnnealingLR},
 * {@link org.rnn4j.optim.schedule.CosineAnnealingWarmRestarts}, {@link org.rnn4j.optim.schedule.LinearLR}
 * (linear warm-up), {@link org.rnn4j.optim.schedule.OneCycleLR} (with momentum cycling),
 * {@link org.rnn4j.optim.schedule.ReduceLROnPlateau}) and {@link org.rnn4j.optim.schedule.SequentialLR} to
 * chain them (warm-up, then decay).
 *
 * <p>A schedule drives one {@link org.rnn4j.optim.Optimizer}'s learning rate through
 * {@link org.rnn4j.optim.Optimizer#setLr(double)} (and its momentum, for one-cycle). As in PyTorch,
 * creating a schedule sets the rate for the first optimizer step, and {@code step()} is called after
 * each optimizer step (or epoch):
 * <pre>{@code
 * Optimizer opt = SGD.builder(params).lr(0.1).momentum(0.9).build();
 * LrScheduler warmup = new LinearLR(opt, 0.1, 1.0, 5);
 * LrScheduler decay = new CosineAnnealingLR(opt, 95, 0.0);
 * LrScheduler schedule = new SequentialLR(opt, List.of(warmup, decay), new long[] {5});
 * for (int step = 0; step < 100; step++) {
 *     ... loss.backward(); opt.step();
 *     schedule.step();
 * }
 * }</pre>
 * Every schedule's {@code state()} is a map of host tensors that goes into a checkpoint beside the
 * optimizer's state, and {@code loadState} restores it (and the optimizer's learning rate and
 * momentum) exactly.
 */
package org.rnn4j.optim.schedule;
