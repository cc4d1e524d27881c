/*
 * The one translation unit of rnn4j's kernels: build-kernels.sh compiles it with nvcc into
 * rnn4j_kernels.fatbin (SASS for sm_80, sm_89, sm_90 and PTX for newer GPUs) and rnn4j_kernels.ptx; the
 * tests compile it with g++ under src/test/native/cuda_emu.h.
 */
#include "elementwise.cu"
#include "gemm.cu"
#include "reduce.cu"
#include "rnn.cu"
