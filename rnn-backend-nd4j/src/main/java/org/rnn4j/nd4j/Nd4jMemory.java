package org.rnn4j.nd4j;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the off-heap memory of unreachable ND4J arrays bounded.
 *
 * <p>ND4J frees an array's native buffer when the garbage collector finds the array unreachable (or at once
 * on {@link Nd4jTensor#close()}). The Java side of an array is a few hundred bytes while its buffer may be
 * megabytes, and javacpp's own GC trigger does not count ND4J's buffers, so a training loop can pile up
 * gigabytes of dead buffers before the heap is full enough for a collection. This class counts the bytes of
 * every tensor the backend creates; when more than {@link #gcThreshold()} bytes were allocated since the last
 * collection it asks for one ({@link System#gc()}), unless the JVM collected on its own in the meantime. The
 * collection makes the dead arrays' buffers reclaimable by ND4J's deallocator threads.
 *
 * <p>The threshold defaults to an eighth of the maximum heap size, within [256 MB, 1 GB]; set it with
 * {@code -Drnn4j.nd4j.gcThreshold=BYTES} (suffixes k, m, g allowed) or {@link #setGcThreshold}. A threshold
 * of 0 disables the forced collections.
 */
public final class Nd4jMemory {
    /** System property holding the threshold in bytes. */
    public static final String THRESHOLD_PROPERTY = "rnn4j.nd4j.gcThreshold";

    private static final AtomicLong SINCE_GC = new AtomicLong();
    private static final AtomicLong ALLOCATED = new AtomicLong();
    private static final AtomicLong FORCED = new AtomicLong();
    private static volatile long threshold = defaultThreshold();
    private static long lastGcCount = -1;

    private Nd4jMemory() {
    }

    static long defaultThreshold() {
        String p = System.getProperty(THRESHOLD_PROPERTY);
        if (p != null && !p.isBlank()) {
            try {
                return parseBytes(p.trim());
            } catch (NumberFormatException e) {
                // fall back to the default
            }
        }
        return Math.max(256L << 20, Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8));
    }

    static long parseBytes(String s) {
        String t = s.toLowerCase(java.util.Locale.ROOT);
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'k' || last == 'm' || last == 'g') {
            mult = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1);
        }
        long v = Long.parseLong(t.trim()) * mult;
        if (v < 0) {
            throw new NumberFormatException("negative: " + s);
        }
        return v;
    }

    /** Bytes allocated since the last collection above which a collection is forced; 0 = never. */
    public static long gcThreshold() {
        return threshold;
    }

    /** Sets {@link #gcThreshold()} ({@code 0} disables forced collections). */
    public static void setGcThreshold(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("gcThreshold = " + bytes + ", expected >= 0");
        }
        threshold = bytes;
    }

    /** Total bytes of tensors created by the backend so far. */
    public static long allocatedBytes() {
        return ALLOCATED.get();
    }

    /** How many collections this class has forced. */
    public static long forcedCollections() {
        return FORCED.get();
    }

    /** Called for every tensor the backend creates. */
    static void allocated(long bytes) {
        ALLOCATED.addAndGet(bytes);
        long since = SINCE_GC.addAndGet(bytes);
        long t = threshold;
        if (t > 0 && since > t) {
            collect();
        }
    }

    private static synchronized void collect() {
        if (SINCE_GC.get() <= threshold) {
            return; // another thread collected meanwhile
        }
        long count = gcCount();
        if (count != lastGcCount && lastGcCount >= 0) {
            // the JVM collected on its own since we last looked: the garbage before it is already reclaimable
            lastGcCount = count;
            SINCE_GC.set(0);
            return;
        }
        System.gc();
        FORCED.incrementAndGet();
        lastGcCount = gcCount();
        SINCE_GC.set(0);
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            long c = gc.getCollectionCount();
            if (c > 0) {
                n += c;
            }
        }
        return n;
    }
}
