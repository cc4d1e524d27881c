/*
 * Operation codes shared by the kernels and the Java side (org.rnn4j.cuda.Ops mirrors every value;
 * OpsHeaderTest checks that the two agree). Plain #defines so that nvcc, gcc and a line parser all read them.
 */
#ifndef RNN4J_OPS_H
#define RNN4J_OPS_H

/* binary elementwise: out = a OP b, b broadcast over the leading dimensions of a */
#define RNN4J_BIN_ADD 0
#define RNN4J_BIN_SUB 1
#define RNN4J_BIN_MUL 2
#define RNN4J_BIN_DIV 3
#define RNN4J_BIN_MAX 4

/* unary elementwise */
#define RNN4J_UN_TANH 0
#define RNN4J_UN_SIGMOID 1
#define RNN4J_UN_RELU 2
#define RNN4J_UN_EXP 3
#define RNN4J_UN_LOG 4
#define RNN4J_UN_SQRT 5
#define RNN4J_UN_ABS 6

/* whole-tensor reductions */
#define RNN4J_RED_SUM 0
#define RNN4J_RED_MAXABS 1

/* activation of the Elman cell and of gemm epilogues */
#define RNN4J_ACT_NONE 0
#define RNN4J_ACT_TANH 1
#define RNN4J_ACT_RELU 2

/* geometry constants the host's launch logic relies on */
#define RNN4J_GEMM_BM 64
#define RNN4J_GEMM_BN 64
#define RNN4J_GEMM_BK 16
#define RNN4J_GEMM_THREADS 256
#define RNN4J_GEMM_SMALL_M 8
#define RNN4J_GEMM_SMALL_WARPS 8
#define RNN4J_TF32_BM 64
#define RNN4J_TF32_BN 64
#define RNN4J_TF32_BK 16
#define RNN4J_TF32_THREADS 128
#define RNN4J_REDUCE_THREADS 256
#define RNN4J_ROW_WARPS 8
#define RNN4J_TILE 32
#define RNN4J_TILE_ROWS 8

#endif
