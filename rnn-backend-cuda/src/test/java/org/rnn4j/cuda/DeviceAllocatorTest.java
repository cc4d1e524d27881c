package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rnn4j.backend.BackendException;

/** The caching allocator's bookkeeping over a fake driver that records every allocation. */
class DeviceAllocatorTest {

    /** A fake device memory with a capacity; addresses never repeat, frees are checked. */
    static final class FakeMemory implements DeviceAllocator.RawMemory {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        long next = 0x1000;
        long used;
        int mallocs;
        int frees;

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public long malloc(long bytes) {
            assertTrue(bytes > 0, "the allocator never asks for 0 bytes");
            if (used + bytes > capacity) {
                throw new DeviceAllocator.OutOfDeviceMemory("CUDA_ERROR_OUT_OF_MEMORY");
            }
            long a = next;
            next += bytes + 4096;
            live.put(a, bytes);
            used += bytes;
            mallocs++;
            return a;
        }

        @Override
        public void free(long address) {
            Long bytes = live.remove(address);
            assertTrue(bytes != null, "double or wild free of " + address);
            used -= bytes;
            frees++;
        }
    }

    @Test
    void sizesRoundTo512BytesAndTo128KiBAboveOneMiB() {
        assertEquals(0, DeviceAllocator.roundUp(0));
        assertEquals(512, DeviceAllocator.roundUp(1));
        assertEquals(512, DeviceAllocator.roundUp(512));
        assertEquals(1024, DeviceAllocator.roundUp(513));
        assertEquals(1L << 20, DeviceAllocator.roundUp((1L << 20) - 3));
        assertEquals((1L << 20) + (128 << 10), DeviceAllocator.roundUp((1L << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> DeviceAllocator.roundUp(-1));
    }

    @Test
    void closedBlocksAreCachedAndReusedWithoutTheDriver() {
        FakeMemory mem = new FakeMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator(mem, 1L << 30);
        Object o1 = new Object();
        DeviceAllocator.Lease l1 = a.allocate(o1, 1000);
        assertEquals(1024, a.stats().liveBytes());
        assertEquals(1, a.stats().liveBlocks());
        long address = l1.address();
        l1.release();
        l1.release(); // idempotent
        assertEquals(0, a.stats().liveBytes());
        assertEquals(1024, a.stats().cachedBytes());
        assertThrows(IllegalStateException.class, l1::address);

        Object o2 = new Object();
        DeviceAllocator.Lease l2 = a.allocate(o2, 900); // rounds to the same 1024 bytes
        assertEquals(address, l2.address(), "the cached block is handed out again");
        assertEquals(1, mem.mallocs, "no second driver allocation");
        assertEquals(1, a.stats().cacheHits());
        // a block more than 1/4 larger than the request is not used for it
        l2.release();
        DeviceAllocator.Lease small = a.allocate(new Object(), 100);
        assertNotEquals(address, small.address());
        assertEquals(2, mem.mallocs);
    }

    @Test
    void viewsShareABlockUntilTheLastLeaseIsReleased() {
        FakeMemory mem = new FakeMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator(mem, 1L << 30);
        DeviceAllocator.Lease base = a.allocate(new Object(), 4096);
        DeviceAllocator.Lease view = a.share(new Object(), base);
        assertEquals(base.address(), view.address());
        base.release();
        assertEquals(4096, a.stats().liveBytes(), "the view keeps the block");
        view.release();
        assertEquals(0, a.stats().liveBytes());
        assertEquals(4096, a.stats().cachedBytes());
        assertThrows(IllegalStateException.class, () -> a.share(new Object(), base));
    }

    @Test
    void emptyAllocationsNeedNoDeviceMemory() {
        FakeMemory mem = new FakeMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator(mem, 1L << 30);
        DeviceAllocator.Lease e = a.allocate(new Object(), 0);
        assertEquals(0, e.address());
        DeviceAllocator.Lease v = a.share(new Object(), e);
        e.release();
        v.release();
        assertEquals(0, mem.mallocs);
        assertEquals(0, a.stats().liveBytes());
    }

    @Test
    void unreachableOwnersAreReclaimedOnTheNextAllocation() throws InterruptedException {
        FakeMemory mem = new FakeMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator(mem, 1L << 30);
        for (int i = 0; i < 10; i++) {
            a.allocate(new Object(), 512); // owners dropped at once
        }
        assertEquals(10 * 512, a.stats().liveBytes());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (a.stats().liveBytes() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            a.releaseUnreachable();
        }
        assertEquals(0, a.stats().liveBytes(), "every lease of a collected owner is released");
        assertEquals(10, a.stats().reclaimedByGc());
        assertEquals(10 * 512, a.stats().cachedBytes());
    }

    @Test
    void pressurePastTheThresholdForcesACollectionThatFreesGarbage() {
        FakeMemory mem = new FakeMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator(mem, 64 << 10);
        List<DeviceAllocator.Lease> kept = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            a.allocate(new Object(), 16 << 10); // garbage at once
        }
        assertTrue(a.stats().forcedCollections() > 0, "the allocator asked for collections: " + a.stats());
        assertTrue(a.stats().reclaimedByGc() > 0, a.stats().summary());
        assertTrue(mem.mallocs < 24, "reclaimed blocks were reused: " + mem.mallocs + " driver allocations");
        kept.add(a.allocate(new Object(), 1));
        assertTrue(kept.size() == 1);
    }

    @Test
    void outOfMemoryFreesTheCacheFirstAndThenFailsNamingTheNumbers() {
        FakeMemory mem = new FakeMemory(8192);
        DeviceAllocator a = new DeviceAllocator(mem, 1L << 40);
        Object o1 = new Object();
        DeviceAllocator.Lease l1 = a.allocate(o1, 4096);
        l1.release(); // cached: 4096 of the 8192
        Object o2 = new Object();
        DeviceAllocator.Lease big = a.allocate(o2, 6000); // needs the cache freed
        assertEquals(1, mem.frees, "the cached block went back to the driver");
        assertEquals(0, a.stats().cachedBytes());
        Object o3 = new Object();
        BackendException e = assertThrows(BackendException.class, () -> a.allocate(o3, 4096));
        assertTrue(e.getMessage().contains("out of device memory") && e.getMessage().contains("4096 bytes") && e.getMessage().contains("6144 bytes live"),
                e.getMessage());
        assertEquals(6144, a.stats().liveBytes(), "a failed allocation changes nothing");
        big.release();
        assertTrue(o1 != null && o2 != null);
    }

    @Test
    void scratchSpaceIsReturnedOnClose() {
        FakeMemory mem = new FakeMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator(mem, 1L << 30);
        try (DeviceAllocator.Scratch s = a.scratch(100)) {
            assertTrue(s.address() != 0);
            assertEquals(512, a.stats().liveBytes());
        }
        assertEquals(0, a.stats().liveBytes());
        a.emptyCache();
        assertEquals(0, a.stats().deviceBytes());
        assertEquals(0, mem.used, "everything went back to the driver");
    }

    @Test
    void closingWhileTensorsLiveFreesTheCacheAndClosesTheDeviceAfterTheLastBlock() {
        FakeMemory mem = new FakeMemory(1L << 30);
        DeviceAllocator a = new DeviceAllocator(mem, 1L << 30);
        DeviceAllocator.Lease kept = a.allocate(new Object(), 1000);
        DeviceAllocator.Lease view = a.share(new Object(), kept);
        a.allocate(new Object(), 5000).release(); // cached
        int[] closed = {0};
        a.closeWhenIdle(() -> closed[0]++);
        assertEquals(0, a.stats().cachedBytes(), "the cache went back to the driver at once");
        assertEquals(1, mem.live.size(), "only the live block remains");
        assertEquals(0, closed[0], "a live block keeps the device open");
        kept.release();
        assertEquals(0, closed[0], "the view still holds the block");
        view.release();
        assertEquals(1, closed[0], "the last release closes the device");
        assertEquals(0, mem.live.size());
        DeviceAllocator b = new DeviceAllocator(new FakeMemory(1L << 20), 1L << 20);
        int[] at = {0};
        b.closeWhenIdle(() -> at[0]++);
        assertEquals(1, at[0], "with nothing live the device closes at once");
    }
}
