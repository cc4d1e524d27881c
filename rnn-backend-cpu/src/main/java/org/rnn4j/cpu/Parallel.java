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
 */
final class Parallel {
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

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
            helpers = new ThreadPoolExecutor(threads - 1, threads - 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
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
}
