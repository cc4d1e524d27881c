package org.rnn4j.bench;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Samples, every few milliseconds on a daemon thread, the heap in use and the off-heap memory (NIO
 * direct buffers plus what {@code offHeap} reports, e.g. JavaCPP's bytes for ND4J), and keeps the
 * highest values above the baseline taken at construction (after a GC).
 */
final class MemoryProbe implements AutoCloseable {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    private static final List<BufferPoolMXBean> POOLS = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);

    private final LongSupplier offHeap;
    private final long heap0;
    private final long off0;
    private volatile long heapPeak;
    private volatile long offPeak;
    private volatile boolean running = true;
    private final Thread thread;

    MemoryProbe(LongSupplier offHeap) {
        this.offHeap = offHeap;
        System.gc();
        this.heap0 = heapUsed();
        this.off0 = offUsed();
        this.heapPeak = heap0;
        this.offPeak = off0;
        this.thread = new Thread(this::loop, "rnn-bench-memory");
        thread.setDaemon(true);
        thread.start();
    }

    private static long heapUsed() {
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private long offUsed() {
        long direct = 0;
        for (BufferPoolMXBean p : POOLS) {
            if (p.getName().equals("direct")) {
                direct += p.getMemoryUsed();
            }
        }
        return direct + Math.max(0, offHeap.getAsLong());
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        long h = heapUsed();
        long o = offUsed();
        if (h > heapPeak) {
            heapPeak = h;
        }
        if (o > offPeak) {
            offPeak = o;
        }
    }

    /** Peak heap above the baseline, in bytes. */
    long heap() {
        sample();
        return Math.max(0, heapPeak - heap0);
    }

    /** Peak off-heap above the baseline, in bytes. */
    long offHeap() {
        sample();
        return Math.max(0, offPeak - off0);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
