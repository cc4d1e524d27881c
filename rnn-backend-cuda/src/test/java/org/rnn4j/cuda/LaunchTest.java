package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Launch geometry: every element covered, CUDA's limits kept, the right gemm kernel chosen. */
class LaunchTest {

    @Test
    void elementwiseUsesWholeWarpsAndCapsTheGrid() {
        assertEquals(new Launch.Config(Launch.Dim3.of(1), Launch.Dim3.of(32)), Launch.elementwise(1));
        assertEquals(new Launch.Config(Launch.Dim3.of(1), Launch.Dim3.of(64)), Launch.elementwise(33));
        assertEquals(new Launch.Config(Launch.Dim3.of(1), Launch.Dim3.of(256)), Launch.elementwise(256));
        assertEquals(new Launch.Config(Launch.Dim3.of(2), Launch.Dim3.of(256)), Launch.elementwise(257));
        for (long n : new long[] {1, 7, 31, 32, 33, 255, 256, 257, 1000, 1 << 20, 1L << 30, Integer.MAX_VALUE}) {
            Launch.Config c = Launch.elementwise(n);
            assertEquals(0, c.block().x() % 32, "whole warps for n = " + n);
            assertTrue(c.block().x() <= 256 && c.grid().x() <= Launch.MAX_GRID_STRIDE_BLOCKS, "n = " + n + ": " + c);
            // the grid-stride loop covers every element; without the cap one thread per element
            assertTrue(c.grid().volume() * c.block().volume() >= Math.min(n, (long) Launch.MAX_GRID_STRIDE_BLOCKS * 256), "n = " + n);
        }
    }

    @Test
    void gemmPicksSmallMForBatchesUpToEightAndTilesOtherwise() {
        Launch.Gemm one = Launch.gemm(1, 4096, 1024, 1, false);
        assertEquals(Launch.GemmKernel.SMALL_M, one.kernel());
        assertEquals(new Launch.Dim3(512, 1, 1), one.config().grid(), "a warp per column, 8 per block");
        assertEquals(Launch.Dim3.of(256), one.config().block());
        assertEquals(Launch.GemmKernel.SMALL_M, Launch.gemm(8, 3, 5, 1, false).kernel());

        Launch.Gemm nine = Launch.gemm(9, 65, 7, 1, false);
        assertEquals(Launch.GemmKernel.TILED, nine.kernel());
        assertEquals(new Launch.Dim3(2, 1, 1), nine.config().grid(), "64 x 64 tiles: n 65 -> 2, m 9 -> 1");
        Launch.Gemm big = Launch.gemm(6400, 1024, 4096, 1, false);
        assertEquals(new Launch.Dim3(16, 100, 1), big.config().grid());
        assertEquals(Launch.Dim3.of(Ops.GEMM_THREADS), big.config().block());

        Launch.Gemm batched = Launch.gemm(17, 3, 2, 5, false);
        assertEquals(5, batched.config().grid().z(), "one grid layer per product of the batch");
    }

    @Test
    void tf32IsUsedWhenAskedEvenForSmallM() {
        Launch.Gemm t = Launch.gemm(3, 130, 8, 1, true);
        assertEquals(Launch.GemmKernel.TF32, t.kernel());
        assertEquals(new Launch.Dim3(3, 1, 1), t.config().grid());
        assertEquals(Launch.Dim3.of(Ops.TF32_THREADS), t.config().block());
        assertEquals("gemm_tf32", t.kernel().prefix);
    }

    @Test
    void gemmRejectsShapesBeyondCudasLimits() {
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class, () -> Launch.gemm(65536 * 64, 9, 9, 1, false));
        assertTrue(rows.getMessage().contains("65535"), rows.getMessage());
        IllegalArgumentException batch = assertThrows(IllegalArgumentException.class, () -> Launch.gemm(9, 9, 9, 70000, false));
        assertTrue(batch.getMessage().contains("70000"), batch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Launch.gemm(0, 9, 9, 1, false));
    }

    @Test
    void reductionsSplitIntoBoundedPartialsAndOneFinalBlock() {
        assertEquals(1, Launch.reducePartial(1).grid().x());
        assertEquals(1, Launch.reducePartial(1024).grid().x());
        assertEquals(2, Launch.reducePartial(1025).grid().x());
        assertEquals(Launch.MAX_REDUCE_BLOCKS, Launch.reducePartial(1L << 30).grid().x());
        assertEquals(Launch.Dim3.of(Ops.REDUCE_THREADS), Launch.reducePartial(5).block());
        assertEquals(Launch.Dim3.of(1), Launch.reduceFinal().grid());
    }

    @Test
    void columnSumsCoverEveryRowAndColumn() {
        for (int[] rc : new int[][] {{1, 1}, {0, 5}, {7, 3}, {6400, 4096}, {100000, 1}, {3, 100000}, {64, 33}}) {
            int rows = rc[0];
            int cols = rc[1];
            Launch.Config c = Launch.columnSumPartial(rows, cols);
            int per = Launch.columnSumRowsPerChunk(rows, cols);
            assertTrue(per >= Launch.COLUMN_SUM_MIN_ROWS, "rows per chunk " + per);
            assertTrue((long) c.grid().y() * per >= rows, "chunks cover the rows: " + rows + " x " + cols + " -> " + c);
            assertTrue((long) c.grid().x() * Ops.TILE >= cols, "column groups cover the columns: " + c);
            assertEquals(new Launch.Dim3(Ops.TILE, Ops.TILE_ROWS, 1), c.block());
            assertTrue(c.grid().y() <= Launch.MAX_GRID_YZ);
        }
        assertEquals(new Launch.Dim3(128, 8, 1), Launch.columnSumPartial(6400, 4096).grid(), "128 column groups x 8 chunks of 800 rows");
    }

    @Test
    void rowKernelsAndTranspose() {
        assertEquals(new Launch.Config(Launch.Dim3.of(7), Launch.Dim3.of(32)), Launch.rows(7, 3));
        assertEquals(Launch.Dim3.of(256), Launch.rows(2, 5000).block());
        assertEquals(new Launch.Config(Launch.Dim3.of(2), Launch.Dim3.of(Ops.ROW_WARPS * 32)), Launch.rowSums(9));
        Launch.Config t = Launch.transpose(33, 65);
        assertEquals(new Launch.Dim3(3, 2, 1), t.grid(), "32 x 32 tiles over [33, 65]");
        assertEquals(new Launch.Dim3(32, 8, 1), t.block());
    }

    @Test
    void configsRejectCudasImpossibleShapes() {
        assertThrows(IllegalArgumentException.class, () -> new Launch.Config(Launch.Dim3.of(1), new Launch.Dim3(32, 33, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Launch.Config(new Launch.Dim3(1, 65536, 1), Launch.Dim3.of(32)));
        assertThrows(IllegalArgumentException.class, () -> Launch.Dim3.of(0));
    }

    @Test
    void persistentKernelsTakeTheFewestUnitsPerBlockThatFitAndAreCoResident() {
        // LSTM, batch 1, H = 256, float32, an H100-like device: 227 KiB of shared memory, 2 blocks per SM x 132 SMs
        Launch.Persistent p = Launch.persistent(4, 1, 256, 4, 227 << 10, shared -> 264).orElseThrow();
        assertEquals(1, p.units(), "one hidden unit per block: 256 blocks fit");
        assertEquals(new Launch.Dim3(256, 1, 1), p.config().grid());
        assertEquals(Launch.Dim3.of(Launch.PERSISTENT_THREADS), p.config().block());
        assertTrue(p.config().cooperative());
        assertEquals((4L * 256 + 256 + 4) * 4, p.config().sharedBytes(), "W rows, h and the products");
        // fewer co-resident blocks: more units per block, every unit covered
        Launch.Persistent q = Launch.persistent(4, 8, 1024, 4, 227 << 10, shared -> 132).orElseThrow();
        assertEquals(8, q.units());
        assertEquals(128, q.config().grid().x());
        assertTrue(q.config().sharedBytes() <= 227 << 10);
        // the grid is as small as the units allow: 7 units for H = 33 over 5 blocks, not 7 blocks of 5
        Launch.Persistent r = Launch.persistent(1, 2, 33, 8, 96 << 10, shared -> 5).orElseThrow();
        assertEquals(7, r.units());
        assertEquals(5, r.config().grid().x());
        assertTrue((long) r.units() * r.config().grid().x() >= 33);
    }

    @Test
    void persistentKernelsAreNotPlannedWhereTheyCannotRun() {
        assertTrue(Launch.persistent(4, 9, 256, 4, 227 << 10, shared -> 1000).isEmpty(), "batches beyond 8 fill the GPU step by step");
        assertTrue(Launch.persistent(4, 1, 256, 4, 227 << 10, shared -> 0).isEmpty(), "no cooperative launch");
        // H = 4096 in float64: one unit's four rows alone need 128 KiB; 32 blocks at most would need 128 units each
        assertTrue(Launch.persistent(4, 1, 4096, 8, 227 << 10, shared -> 32).isEmpty(), "W_hh does not fit the blocks' shared memory");
    }
}
