package org.rnn4j.bench;

/** An implementation that runs in this JVM, so that JMH can time its {@link #step()} directly. */
interface LocalImpl extends Impl {

    /** One training step or one forward pass. */
    void step() throws Exception;

    @Override
    default Timing time(int warmup, double warmupSeconds, int iterations, double budgetSeconds, double estimateSeconds) throws Exception {
        return LocalTimer.time(this::step, warmup, warmupSeconds, iterations, budgetSeconds, estimateSeconds);
    }
}
