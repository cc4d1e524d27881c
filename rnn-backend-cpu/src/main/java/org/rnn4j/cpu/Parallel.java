package org.rnn4j.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Runs independent tasks {@code 0..n-1} on a fixed set of {@code threads} threads: the calling thread
 * plus {@code threads - 1} daemon helpers. Tasks are claimed from a shared counter, so the caller never
 * waits on a helper that has not started (which also makes nested or concurrent use deadlock-free).
 * Idle helpers time out, so a backend that is no longer used keeps no threads alive; {@link #close()}
 * stops them for good.
 *
 * <p>Hand-offs spin before they sleep: an idle helper polls for work for {@link #SPIN_NANOS} before it
 * parks, and the caller polls for the helpers' last tasks as long before it parks. Waking a parked thread
 * costs tens of microseconds (more on a virtual machine, whose idle vCPU the host has to wake), which is
 * the whole time of one step's matrix product in a small recurrent layer: without the spin, two threads
 * ran a {@code [32, 256] x [256, 1024]} product slower than one. {@code -Drnn4j.cpu.spinMicros=N} sets the
 * spin (0: park at once).
 */
final class Parallel {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** How long an idle thread polls for work (helpers) or for the end of the work (caller) before parking. */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("rnn4j.cpu.spinMicros", 200)) * 1000L;

    private final int threads;
    private final ThreadPoolExecutor helpers;

    Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads = " + threads + ", expected >= 1");
        }
        this.threads = threads;
        if (threads == 1) {
            helpers = null;
        } else {
            int pool = POOL_IDS.incrementAndGet();
            AtomicInteger ids = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, "rnn4j-cpu-" + pool + "-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            helpers = new ThreadPoolExecutor(threads - 1, threads - 1, 30, TimeUnit.SECONDS, new SpinningQueue(), factory);
            helpers.allowCoreThreadTimeOut(true);
        }
    }

    /** Stops the helper threads (at once if idle, else after their current task); later work is refused. */
    void close() {
        if (helpers != null) {
            helpers.shutdown();
        }
    }

    /** Number of threads that run tasks, the caller included. */
    int threads() {
        return threads;
    }

    /** Runs {@code body(t)} for every {@code t} in {@code [0, tasks)} and returns when all are done. */
    void forEach(int tasks, IntConsumer body) {
        if (helpers == null || tasks <= 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(tasks);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (int t; (t = next.getAndIncrement()) < tasks; ) {
                try {
                    if (failure.get() == null) {
                        body.accept(t);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        for (int h = Math.min(threads, tasks) - 1; h > 0; h--) {
            helpers.execute(worker);
        }
        worker.run();
        for (long deadline = System.nanoTime() + SPIN_NANOS; done.getCount() > 0 && System.nanoTime() < deadline; ) {
            Thread.onSpinWait();
        }
        awaitUninterruptibly(done);
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The helpers' work queue: {@code take} and {@code poll(timeout)} first poll for {@link #SPIN_NANOS}, so
     * a helper that has just finished is still awake when the next product arrives; then they block as
     * a {@link LinkedBlockingQueue} does.
     */
    private static final class SpinningQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;

        private Runnable spin() {
            for (long deadline = System.nanoTime() + SPIN_NANOS; System.nanoTime() < deadline; ) {
                Runnable r = super.poll();
                if (r != null) {
                    return r;
                }
                Thread.onSpinWait();
            }
            return null;
        }

        @Override
        public Runnable take() throws InterruptedException {
            Runnable r = spin();
            return r != null ? r : super.take();
        }

        @Override
        public Runnable poll(long timeout, TimeUnit unit) throws InterruptedException {
            Runnable r = spin();
            return r != null ? r : super.poll(timeout, unit);
        }
    }
}
