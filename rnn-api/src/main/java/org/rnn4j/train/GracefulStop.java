package org.rnn4j.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C during training: a shutdown hook asks the training loop to stop at the next step boundary and
 * waits (a bounded time) until the loop has saved its checkpoint and called {@link #finished()}. The
 * hook itself writes nothing, so it can never leave a half-written file; checkpoints are written
 * atomically (temporary file, then rename) anyway, so the previous one survives even a hard kill.
 */
public final class GracefulStop implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    /** Registers the hook; {@code waitSeconds} bounds how long the JVM waits for the loop at exit. */
    public GracefulStop(double waitSeconds) {
        this.hook = new Thread(() -> {
            requested.set(true);
            try {
                done.await((long) (waitSeconds * 1000), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rnn4j-graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether the process is shutting down (Ctrl-C, SIGTERM) and the loop should save and return. */
    public boolean requested() {
        return requested.get();
    }

    /** Called by the loop once its state is safely on disk (or when it has nothing to save). */
    public void finished() {
        done.countDown();
    }

    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or ran; it returns as soon as the latch is released
        }
    }
}
