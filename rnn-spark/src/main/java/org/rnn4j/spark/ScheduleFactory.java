package org.rnn4j.spark;

import java.io.Serializable;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.optim.schedule.LrScheduler;

/**
 * Builds the learning-rate schedule over the driver's optimizer; it runs only on the driver, stepped
 * once per optimizer step (in the modes where executors update, the driver sends them the learning
 * rate, and momentum, of each step). A metric-driven schedule ({@code ReduceLROnPlateau}) is not supported.
 */
@FunctionalInterface
public interface ScheduleFactory extends Serializable {
    /** A new schedule driving {@code optimizer}. */
    LrScheduler create(Optimizer optimizer);
}
