package org.rnn4j.cuda;

import java.util.Locale;

/**
 * Launch geometry of every kernel: which grid and block each op uses, as pure functions of the sizes, so
 * that they are tested without a GPU ({@code LaunchTest}) and shared by the real and the emulated device.
 * The kernels loop grid-stride where noted, so a capped grid still covers every element.
 */
final class Launch {
    /** The most blocks a grid-stride kernel is given: enough to fill any current GPU several times. */
    static final int MAX_GRID_STRIDE_BLOCKS = 4096;
    /** CUDA's limit on gridDim.y and gridDim.z. */
    static final int MAX_GRID_YZ = 65535;
    /** Blocks of the first pass of a whole-tensor reduction (the second pass reduces their partial results). */
    static final int MAX_REDUCE_BLOCKS = 1024;
    /** Blocks a column-sum aims at over all its column groups and row chunks. */
    static final int COLUMN_SUM_TARGET_BLOCKS = 1024;
    /** Rows a column-sum block sums at least. */
    static final int COLUMN_SUM_MIN_ROWS = 64;

    private Launch() {
    }

    /** A grid or block extent. */
    record Dim3(int x, int y, int z) {
        Dim3 {
            if (x < 1 || y < 1 || z < 1) {
                throw new IllegalArgumentException("launch extents must be >= 1, got (" + x + ", " + y + ", " + z + ")");
            }
        }

        static Dim3 of(int x) {
            return new Dim3(x, 1, 1);
        }

        long volume() {
            return (long) x * y * z;
        }

        @Override
        public String toString() {
            return "(" + x + ", " + y + ", " + z + ")";
        }
    }

    /**
     * One launch: grid and block, the bytes of dynamic shared memory per block, and whether all blocks must
     * run at once (a cooperative launch, for kernels with a grid barrier).
     */
    record Config(Dim3 grid, Dim3 block, int sharedBytes, boolean cooperative) {
        Config {
            if (block.volume() > 1024) {
                throw new IllegalArgumentException("a block has at most 1024 threads, got " + block);
            }
            if (grid.y() > MAX_GRID_YZ || grid.z() > MAX_GRID_YZ) {
                throw new IllegalArgumentException("gridDim.y and gridDim.z are at most " + MAX_GRID_YZ + ", got " + grid);
            }
            if (sharedBytes < 0) {
                throw new IllegalArgumentException("negative dynamic shared memory: " + sharedBytes);
            }
        }

        /** An ordinary launch without dynamic shared memory. */
        Config(Dim3 grid, Dim3 block) {
            this(grid, block, 0, false);
        }
    }

    static int ceilDiv(long a, long b) {
        long q = (a + b - 1) / b;
        if (q > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("launch too large: " + a + " / " + b + " blocks");
        }
        return (int) q;
    }

    /** The smallest multiple of 32 that is at least {@code n}, between 32 and {@code max}. */
    static int warpMultiple(long n, int max) {
        long r = (Math.max(n, 1) + 31) / 32 * 32;
        return (int) Math.min(r, max);
    }

    /** A grid-stride kernel over {@code n >= 1} elements: blocks of up to 256 threads, at most {@value #MAX_GRID_STRIDE_BLOCKS} blocks. */
    static Config elementwise(long n) {
        int block = warpMultiple(n, 256);
        return new Config(Dim3.of(Math.min(ceilDiv(n, block), MAX_GRID_STRIDE_BLOCKS)), Dim3.of(block));
    }

    /** {@code transpose_*} of a {@code [rows, cols]} matrix: one 32 x 32 tile per block of 32 x 8 threads. */
    static Config transpose(int rows, int cols) {
        return new Config(new Dim3(ceilDiv(cols, Ops.TILE), ceilDiv(rows, Ops.TILE), 1), new Dim3(Ops.TILE, Ops.TILE_ROWS, 1));
    }

    /** Which matrix-product kernel runs. */
    enum GemmKernel {
        /** {@code gemm_tiled_*}: 64 x 64 tiles, 4 x 4 outputs per thread. */
        TILED("gemm_tiled"),
        /** {@code gemm_small_m_*}: M at most 8, a warp per output column. */
        SMALL_M("gemm_small_m"),
        /** {@code gemm_tf32_f32}: TF32 tensor cores (opt-in, float32, GPU only). */
        TF32("gemm_tf32");

        final String prefix;

        GemmKernel(String prefix) {
            this.prefix = prefix;
        }
    }

    /** The kernel and geometry of one (batched) product. */
    record Gemm(GemmKernel kernel, Config config) {
    }

    /**
     * The product {@code [m, k] x [k, n]}, {@code batch} times: small-M products (the recurrent step of a
     * batch of at most 8) take the warp-per-column kernel; the rest the tiled kernel, or the TF32 one when
     * {@code tf32} (float32 only, enabled by the caller).
     */
    static Gemm gemm(int m, int n, int k, int batch, boolean tf32) {
        if (m < 1 || n < 1 || k < 0 || batch < 1) {
            throw new IllegalArgumentException("gemm: m = " + m + ", n = " + n + ", k = " + k + ", batch = " + batch
                    + "; expected m, n, batch >= 1 and k >= 0");
        }
        if (batch > MAX_GRID_YZ) {
            throw new IllegalArgumentException("gemm: a batch of " + batch + " products exceeds gridDim.z's limit " + MAX_GRID_YZ);
        }
        if (tf32) {
            return new Gemm(GemmKernel.TF32, new Config(new Dim3(ceilDiv(n, Ops.TF32_BN), checkY(ceilDiv(m, Ops.TF32_BM)), batch),
                    Dim3.of(Ops.TF32_THREADS)));
        }
        if (m <= Ops.GEMM_SMALL_M) {
            return new Gemm(GemmKernel.SMALL_M, new Config(new Dim3(ceilDiv(n, Ops.GEMM_SMALL_WARPS), 1, batch),
                    Dim3.of(Ops.GEMM_SMALL_WARPS * 32)));
        }
        return new Gemm(GemmKernel.TILED, new Config(new Dim3(ceilDiv(n, Ops.GEMM_BN), checkY(ceilDiv(m, Ops.GEMM_BM)), batch),
                Dim3.of(Ops.GEMM_THREADS)));
    }

    private static int checkY(int y) {
        if (y > MAX_GRID_YZ) {
            throw new IllegalArgumentException("gemm: " + y + " row tiles exceed gridDim.y's limit " + MAX_GRID_YZ);
        }
        return y;
    }

    /** First pass of a whole-tensor reduction of {@code n >= 1} elements: {@code grid.x} partial results. */
    static Config reducePartial(long n) {
        return new Config(Dim3.of(Math.min(ceilDiv(n, Ops.REDUCE_THREADS * 4L), MAX_REDUCE_BLOCKS)), Dim3.of(Ops.REDUCE_THREADS));
    }

    /** Second pass: one block over the partial results. */
    static Config reduceFinal() {
        return new Config(Dim3.of(1), Dim3.of(Ops.REDUCE_THREADS));
    }

    /** {@code sum_rows_*}: a warp per row. */
    static Config rowSums(int rows) {
        return new Config(Dim3.of(ceilDiv(rows, Ops.ROW_WARPS)), Dim3.of(Ops.ROW_WARPS * 32));
    }

    /** Rows each block of a column sum covers (the {@code rowsPerChunk} argument of {@code sum_cols_partial_*}). */
    static int columnSumRowsPerChunk(int rows, int cols) {
        int columnGroups = ceilDiv(cols, Ops.TILE);
        int chunks = Math.max(1, COLUMN_SUM_TARGET_BLOCKS / columnGroups);
        return Math.max(COLUMN_SUM_MIN_ROWS, ceilDiv(Math.max(rows, 1), chunks));
    }

    /** First pass of a column sum of {@code [rows, cols]}: (column groups of 32, row chunks) blocks of 32 x 8. */
    static Config columnSumPartial(int rows, int cols) {
        int chunks = ceilDiv(Math.max(rows, 1), columnSumRowsPerChunk(rows, cols));
        return new Config(new Dim3(ceilDiv(cols, Ops.TILE), chunks, 1), new Dim3(Ops.TILE, Ops.TILE_ROWS, 1));
    }

    /** Row-wise softmax and its backward: one block per row (grid-stride beyond the grid limit), up to 256 threads. */
    static Config rows(int rows, int cols) {
        return new Config(Dim3.of(Math.max(1, rows)), Dim3.of(warpMultiple(cols, 256)));
    }

    /** Threads per block of the persistent recurrent kernel. */
    static final int PERSISTENT_THREADS = 256;

    /**
     * The plan of a persistent sequence kernel ({@code rnn_persistent_fwd_*}): {@code units} hidden units per
     * block, one block per slice of the hidden state, all co-resident (a cooperative launch).
     */
    record Persistent(int units, Config config) {
    }

    /** How many blocks of a kernel can be co-resident with {@code sharedBytes} of dynamic shared memory each (0: none). */
    interface Residency {
        int maxBlocks(int sharedBytes);
    }

    /** Bytes of dynamic shared memory the persistent kernel needs: W rows {@code [G U][H]}, h {@code [B][H]}, products {@code [B][G U]}. */
    static long persistentSharedBytes(int gates, int batch, int hidden, int units, int elementBytes) {
        long rows = (long) gates * units;
        return (rows * hidden + (long) batch * hidden + (long) batch * rows) * elementBytes;
    }

    /**
     * The fewest hidden units per block (so the most blocks) for which every block's slice of W_hh fits its
     * shared memory and all blocks fit on the device at once; empty when none does (the per-step path runs
     * then) or when the batch is larger than {@link Ops#GEMM_SMALL_M} (its steps fill the GPU anyway).
     */
    static java.util.Optional<Persistent> persistent(int gates, int batch, int hidden, int elementBytes, int maxSharedBytes, Residency residency) {
        if (batch < 1 || batch > Ops.GEMM_SMALL_M || hidden < 1) {
            return java.util.Optional.empty();
        }
        for (int units = 1; units <= hidden; units++) {
            int blocks = ceilDiv(hidden, units);
            if (units > 1 && ceilDiv(hidden, units - 1) == blocks) {
                continue; // the same grid with fewer units per block was tried
            }
            long shared = persistentSharedBytes(gates, batch, hidden, units, elementBytes);
            if (shared > maxSharedBytes) {
                return java.util.Optional.empty(); // more units only need more
            }
            if (blocks <= residency.maxBlocks((int) shared)) {
                return java.util.Optional.of(new Persistent(units, new Config(Dim3.of(blocks), Dim3.of(PERSISTENT_THREADS), (int) shared, true)));
            }
        }
        return java.util.Optional.empty();
    }

    static String describe(Config c) {
        return String.format(Locale.ROOT, "grid %s block %s%s%s", c.grid(), c.block(), c.sharedBytes() > 0 ? ", " + c.sharedBytes()
                + " bytes of shared memory" : "", c.cooperative() ? ", cooperative" : "");
    }
}
