package org.rnn4j.cuda;

import java.util.Locale;

/**
 * The device-memory counters of a {@link CudaBackend} (see {@link CudaBackend#memoryStats()}), all sizes in
 * bytes as allocated (requests are rounded up to 512 bytes, or to 128 KiB above 1 MiB).
 *
 * @param liveBytes         bytes in blocks held by live tensors and running ops; the leak check: it returns to
 *                          its earlier value once every tensor made since is closed
 * @param liveBlocks        number of such blocks
 * @param cachedBytes       bytes freed by tensors and kept for reuse
 * @param cachedBlocks      number of cached blocks
 * @param peakLiveBytes     the largest {@code liveBytes} seen
 * @param deviceBytes       bytes obtained from the driver and not yet returned ({@code liveBytes + cachedBytes})
 * @param mallocs           driver allocations so far
 * @param cacheHits         allocations served from the cache
 * @param forcedCollections garbage collections the allocator asked for (device memory pressure)
 * @param reclaimedByGc     tensors released by the garbage collector instead of {@code close()}
 */
public record CudaMemoryStats(long liveBytes, long liveBlocks, long cachedBytes, long cachedBlocks, long peakLiveBytes, long deviceBytes,
                              long mallocs, long cacheHits, long forcedCollections, long reclaimedByGc) {

    /** One line for logs and diagnostics. */
    public String summary() {
        return String.format(Locale.ROOT, "live %s in %d blocks (peak %s), cached %s in %d blocks, %d driver allocations, %d cache hits, "
                + "%d collections forced, %d tensors reclaimed by the GC", mb(liveBytes), liveBlocks, mb(peakLiveBytes), mb(cachedBytes),
                cachedBlocks, mallocs, cacheHits, forcedCollections, reclaimedByGc);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
