package org.rnn4j.cuda;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.rnn4j.backend.BackendException;

/**
 * A caching allocator of device memory, in the manner of PyTorch's CUDA caching allocator: freed blocks go
 * to a cache keyed by size and are handed out again without a driver call. Reuse is safe without any
 * synchronisation because all work runs on one stream: a block freed after enqueueing a kernel that reads
 * it can only be written by work enqueued later.
 *
 * <p>Each tensor holds a {@link Lease} on a {@link Block}; views (reshape) hold further leases on the same
 * block, which returns to the cache when the last lease is released. A lease is released by
 * {@code close()} (deterministic) or, for a tensor that became unreachable without being closed, when the
 * garbage collector has noticed it (leases are phantom references, drained on the allocating thread).
 * Device memory can run out long before the Java heap does, so when the live bytes pass a threshold the
 * allocator asks for a collection first; and when the driver reports no memory, it frees the cache, then
 * collects, before giving up with the numbers.
 *
 * <p>{@link #stats()} is the debug counter: the bytes in live blocks go back to their earlier value when
 * every tensor made since is closed, which the tests check. Thread-safe.
 */
final class DeviceAllocator {
    /** Sizes up to this are rounded to {@value #SMALL_ROUND} bytes; larger ones to {@value #LARGE_ROUND}. */
    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_ROUND = 512;
    static final long LARGE_ROUND = 128L << 10;
    /** A cached block serves a request when it is at most this fraction (1/4) larger. */
    static final int SLACK_SHIFT = 2;

    /** The driver's allocation functions. */
    interface RawMemory {
        /**
         * Allocates {@code bytes > 0} bytes of device memory.
         *
         * @throws OutOfDeviceMemory when the device has no room
         */
        long malloc(long bytes);

        /** Frees an address {@link #malloc} returned. */
        void free(long address);
    }

    /** The device has no room for an allocation (the driver's CUDA_ERROR_OUT_OF_MEMORY). */
    static final class OutOfDeviceMemory extends RuntimeException {
        OutOfDeviceMemory(String message) {
            super(message);
        }
    }

    /** A block of device memory; {@code size} is the rounded size. */
    static final class Block {
        final long address;
        final long size;
        int refs;

        Block(long address, long size) {
            this.address = address;
            this.size = size;
        }
    }

    private static final Block EMPTY = new Block(0, 0);

    /** One holder's claim on a block; released once, by {@link #release()} or by the garbage collector. */
    final class Lease extends PhantomReference<Object> {
        private Block block;

        private Lease(Object owner, Block block) {
            super(owner, queue);
            this.block = block;
        }

        /** The device address of the block (0 for an empty one). */
        long address() {
            Block b = block;
            if (b == null) {
                throw new IllegalStateException("the tensor's device memory was released (it is closed)");
            }
            return b.address;
        }

        /** Whether this lease was released. */
        boolean released() {
            return block == null;
        }

        /** Gives the claim up; idempotent. */
        void release() {
            DeviceAllocator.this.release(this);
        }
    }

    /**
     * A block for the duration of one op (scratch space, uploaded indices), released by {@link #close()}; the
     * scratch object owns its lease, so it stays claimed while the op holds the object.
     */
    final class Scratch implements AutoCloseable {
        private final Lease lease;

        private Scratch(long bytes) {
            this.lease = allocate(this, bytes);
        }

        long address() {
            return lease.address();
        }

        @Override
        public void close() {
            lease.release();
        }
    }

    private final RawMemory raw;
    private final ReferenceQueue<Object> queue = new ReferenceQueue<>();
    private final Set<Lease> leases = new HashSet<>();
    private final TreeMap<Long, ArrayDeque<Block>> cache = new TreeMap<>();
    private final long minGcThreshold;
    private long gcThreshold;
    private long liveBytes;
    private long liveBlocks;
    private long cachedBytes;
    private long cachedBlocks;
    private long peakLiveBytes;
    private long mallocs;
    private long cacheHits;
    private long forcedCollections;
    private long reclaimed;
    /** Set by {@link #closeWhenIdle}: blocks go back to the driver, and this runs when the last one has. */
    private Runnable onIdle;

    /**
     * An allocator over {@code raw} that asks for a garbage collection when the live bytes would pass
     * {@code gcThreshold} (doubling afterwards to twice what stayed live, never below the initial value).
     */
    DeviceAllocator(RawMemory raw, long gcThreshold) {
        if (gcThreshold < 1) {
            throw new IllegalArgumentException("gcThreshold = " + gcThreshold + ", expected >= 1 byte");
        }
        this.raw = raw;
        this.minGcThreshold = gcThreshold;
        this.gcThreshold = gcThreshold;
    }

    /** The size a request of {@code bytes} is rounded to. */
    static long roundUp(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation: " + bytes + " bytes");
        }
        long unit = bytes <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        return (bytes + unit - 1) / unit * unit;
    }

    /** A new block of at least {@code bytes} bytes held by {@code owner} (released when {@code owner} is collected). */
    synchronized Lease allocate(Object owner, long bytes) {
        drain();
        long size = roundUp(bytes);
        if (size == 0) {
            return track(new Lease(owner, EMPTY));
        }
        if (liveBytes + size > gcThreshold) {
            collect();
            gcThreshold = Math.max(minGcThreshold, 2 * (liveBytes + size));
        }
        Block b = takeCached(size);
        if (b == null) {
            b = newBlock(size);
        }
        b.refs = 1;
        liveBytes += b.size;
        liveBlocks++;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        return track(new Lease(owner, b));
    }

    /** A further lease on {@code existing}'s block for {@code owner} (a view sharing the memory). */
    synchronized Lease share(Object owner, Lease existing) {
        Block b = existing.block;
        if (b == null) {
            throw new IllegalStateException("the tensor's device memory was released (it is closed)");
        }
        if (b != EMPTY) {
            b.refs++;
        }
        return track(new Lease(owner, b));
    }

    /** Scratch space of {@code bytes} bytes for one op; close it once the op's kernels are enqueued. */
    Scratch scratch(long bytes) {
        return new Scratch(bytes);
    }

    private Lease track(Lease l) {
        leases.add(l);
        return l;
    }

    private synchronized void release(Lease l) {
        if (!leases.remove(l)) {
            return;
        }
        Block b = l.block;
        l.block = null;
        l.clear();
        if (b == EMPTY || --b.refs > 0) {
            return;
        }
        liveBytes -= b.size;
        liveBlocks--;
        if (onIdle != null) {
            raw.free(b.address);
            runIfIdle();
            return;
        }
        cache.computeIfAbsent(b.size, k -> new ArrayDeque<>()).push(b);
        cachedBytes += b.size;
        cachedBlocks++;
    }

    /**
     * For a backend that was closed while tensors are still alive: frees the cache, returns every block
     * released from now on straight to the driver, and runs {@code onIdle} (closing the device) once no block
     * is live, which may be at once.
     */
    synchronized void closeWhenIdle(Runnable idle) {
        drain();
        emptyCache();
        this.onIdle = idle;
        runIfIdle();
    }

    private void runIfIdle() {
        if (liveBlocks == 0 && onIdle != null) {
            Runnable r = onIdle;
            onIdle = () -> { };
            r.run();
        }
    }

    private Block takeCached(long size) {
        Map.Entry<Long, ArrayDeque<Block>> e = cache.ceilingEntry(size);
        if (e == null || e.getKey() > size + (size >> SLACK_SHIFT)) {
            return null;
        }
        Block b = e.getValue().pop();
        if (e.getValue().isEmpty()) {
            cache.remove(e.getKey());
        }
        cachedBytes -= b.size;
        cachedBlocks--;
        cacheHits++;
        return b;
    }

    private Block newBlock(long size) {
        try {
            return rawBlock(size);
        } catch (OutOfDeviceMemory first) {
            emptyCache();
            try {
                return rawBlock(size);
            } catch (OutOfDeviceMemory second) {
                collect();
                emptyCache();
                try {
                    return rawBlock(size);
                } catch (OutOfDeviceMemory last) {
                    throw new BackendException(String.format(Locale.ROOT,
                            "cuda: out of device memory allocating %d bytes (%s) after freeing the cache and a garbage collection: "
                                    + "%d bytes live in %d blocks; close tensors you no longer need (try-with-resources) or use smaller batches",
                            size, last.getMessage(), liveBytes, liveBlocks), last);
                }
            }
        }
    }

    private Block rawBlock(long size) {
        long address = raw.malloc(size);
        mallocs++;
        return new Block(address, size);
    }

    /** Releases the leases of tensors the garbage collector found unreachable. */
    private void drain() {
        Reference<?> r;
        while ((r = queue.poll()) != null) {
            if (leases.contains(r)) {
                reclaimed++;
                release((Lease) r);
            }
        }
    }

    /** Asks for a garbage collection and releases what it found, waiting briefly for the references to arrive. */
    private void collect() {
        forcedCollections++;
        long before = liveBytes;
        System.gc();
        long deadline = System.nanoTime() + 50_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                Reference<?> r = queue.remove(5);
                if (r == null) {
                    if (liveBytes < before) {
                        break;
                    }
                    continue;
                }
                if (leases.contains(r)) {
                    reclaimed++;
                    release((Lease) r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        drain();
    }

    /** Frees every cached block to the driver. */
    synchronized void emptyCache() {
        for (ArrayDeque<Block> blocks : cache.values()) {
            for (Block b : blocks) {
                raw.free(b.address);
            }
        }
        cache.clear();
        cachedBytes = 0;
        cachedBlocks = 0;
    }

    /** Releases the leases of unreachable tensors now (they are otherwise released on the next allocation or read). */
    synchronized void releaseUnreachable() {
        drain();
    }

    /** The counters; see {@link CudaMemoryStats}. */
    synchronized CudaMemoryStats stats() {
        return new CudaMemoryStats(liveBytes, liveBlocks, cachedBytes, cachedBlocks, peakLiveBytes, liveBytes + cachedBytes, mallocs,
                cacheHits, forcedCollections, reclaimed);
    }
}
