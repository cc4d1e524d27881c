package org.rnn4j.bench;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Samples, every 10 ms on a daemon thread, the heap in use and the memory outside the heap, and keeps
 * the highest values above the baseline taken at construction (after a GC).
 *
 * <p>Outside the heap is measured as the process's resident set ({@code /proc/self/statm}) minus the
 * committed heap, which catches every native allocation (ND4J's buffers and workspaces, OpenBLAS's
 * buffers, direct buffers) but moves a little with the JVM's own housekeeping; where {@code /proc} is
 * not readable, NIO direct buffers plus what {@code offHeap} reports (JavaCPP's bytes) are used instead.
 */
final class MemoryProbe implements AutoCloseable {
    /** The sampling thread's name. */
    static final String THREAD_NAME = "rnn-bench-memory";
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
        this.thread = new Thread(this::loop, THREAD_NAME);
        thread.setDaemon(true);
        thread.start();
    }

    private static long heapUsed() {
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE = 4096;
    private boolean procReadable = Files.isReadable(STATM);

    /** Resident set size in bytes, or -1. */
    private long rss() {
        if (!procReadable) {
            return -1;
        }
        try {
            String s = Files.readString(STATM);
            int a = s.indexOf(' ');
            int b = s.indexOf(' ', a + 1);
            return Long.parseLong(s.substring(a + 1, b > 0 ? b : s.length()).trim()) * PAGE;
        } catch (IOException | RuntimeException e) {
            procReadable = false;
            return -1;
        }
    }

    private long offUsed() {
        long rss = rss();
        if (rss >= 0) {
            return rss - MEMORY.getHeapMemoryUsage().getCommitted();
        }
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
                Thread.sleep(10);
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
