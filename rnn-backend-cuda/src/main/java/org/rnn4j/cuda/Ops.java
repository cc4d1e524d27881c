package org.rnn4j.cuda;

/**
 * The operation codes and geometry constants of {@code src/main/cuda/ops.h}, mirrored for the host
 * ({@code OpsHeaderTest} checks every value against the header).
 */
final class Ops {
    static final int BIN_ADD = 0;
    static final int BIN_SUB = 1;
    static final int BIN_MUL = 2;
    static final int BIN_DIV = 3;
    static final int BIN_MAX = 4;

    static final int UN_TANH = 0;
    static final int UN_SIGMOID = 1;
    static final int UN_RELU = 2;
    static final int UN_EXP = 3;
    static final int UN_LOG = 4;
    static final int UN_SQRT = 5;
    static final int UN_ABS = 6;

    static final int RED_SUM = 0;
    static final int RED_MAXABS = 1;

    static final int ACT_NONE = 0;
    static final int ACT_TANH = 1;
    static final int ACT_RELU = 2;

    static final int GEMM_BM = 64;
    static final int GEMM_BN = 64;
    static final int GEMM_BK = 16;
    static final int GEMM_THREADS = 256;
    static final int GEMM_SMALL_M = 8;
    static final int GEMM_SMALL_WARPS = 8;
    static final int TF32_BM = 64;
    static final int TF32_BN = 64;
    static final int TF32_BK = 16;
    static final int TF32_THREADS = 128;
    static final int REDUCE_THREADS = 256;
    static final int ROW_WARPS = 8;
    static final int TILE = 32;
    static final int TILE_ROWS = 8;

    private Ops() {
    }
}
