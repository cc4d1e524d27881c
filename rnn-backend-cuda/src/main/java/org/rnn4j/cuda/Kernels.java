package org.rnn4j.cuda;

import java.util.ArrayList;
import java.util.List;
import org.rnn4j.tensor.DType;

/**
 * The names of the kernels the host launches (the {@code extern "C"} functions of {@code src/main/cuda}).
 * Typed kernels exist as {@code name_f32} and {@code name_f64}; {@link #all()} lists every concrete name,
 * which the tests check against the compiled image and the emulator.
 */
final class Kernels {
    static final String FILL = "fill";
    static final String BINARY = "binary";
    static final String BINARY_BROADCAST = "binary_broadcast";
    static final String WHERE = "where";
    static final String MASKED_FILL = "masked_fill";
    static final String SCALE_ADD_INPLACE = "scale_add_inplace";
    static final String AXIS_REDUCE = "axis_reduce";
    static final String AFFINE = "affine";
    static final String ADD_SCALED = "add_scaled";
    static final String UNARY = "unary";
    static final String ACTIVATION_BACKWARD = "activation_backward";
    static final String COPY_BLOCK = "copy_block";
    static final String TRANSPOSE = "transpose";
    static final String GATHER_COLUMNS = "gather_columns";
    static final String SCATTER_COLUMNS = "scatter_columns";
    static final String GATHER_ROWS = "gather_rows";
    static final String SCATTER_ADD_ROWS = "scatter_add_rows";
    static final String REDUCE_PARTIAL = "reduce_partial";
    static final String REDUCE_FINAL = "reduce_final";
    static final String SUM_ROWS = "sum_rows";
    static final String SUM_COLS_PARTIAL = "sum_cols_partial";
    static final String SUM_COLS_FINAL = "sum_cols_final";
    static final String SOFTMAX_ROWS = "softmax_rows";
    static final String LOG_SOFTMAX_BACKWARD = "log_softmax_backward";
    static final String LSTM_FWD_STEP = "lstm_fwd_step";
    static final String LSTM_BWD_STEP = "lstm_bwd_step";
    static final String GRU_FWD_STEP = "gru_fwd_step";
    static final String GRU_BWD_STEP = "gru_bwd_step";
    static final String RNN_FWD_STEP = "rnn_fwd_step";
    static final String RNN_BWD_STEP = "rnn_bwd_step";
    static final String RNN_PERSISTENT_FWD = "rnn_persistent_fwd";
    static final String CAST_F32_F64 = "cast_f32_f64";
    static final String CAST_F64_F32 = "cast_f64_f32";
    /** The TF32 tensor-core product: float32 only, GPU only (not in the emulator). */
    static final String GEMM_TF32_F32 = "gemm_tf32_f32";

    /** Kernels instantiated for both dtypes (the gemm kernels come from {@link Launch.GemmKernel}). */
    private static final List<String> TYPED = List.of(FILL, BINARY, BINARY_BROADCAST, WHERE, MASKED_FILL, SCALE_ADD_INPLACE, AXIS_REDUCE, AFFINE, ADD_SCALED, UNARY, ACTIVATION_BACKWARD, COPY_BLOCK, TRANSPOSE,
            GATHER_COLUMNS, SCATTER_COLUMNS, GATHER_ROWS, SCATTER_ADD_ROWS, REDUCE_PARTIAL, REDUCE_FINAL, SUM_ROWS, SUM_COLS_PARTIAL,
            SUM_COLS_FINAL, SOFTMAX_ROWS, LOG_SOFTMAX_BACKWARD, LSTM_FWD_STEP, LSTM_BWD_STEP, GRU_FWD_STEP, GRU_BWD_STEP, RNN_FWD_STEP,
            RNN_BWD_STEP, RNN_PERSISTENT_FWD, Launch.GemmKernel.TILED.prefix, Launch.GemmKernel.SMALL_M.prefix);

    private Kernels() {
    }

    /** {@code base_f32} or {@code base_f64}. */
    static String of(String base, DType dtype) {
        return base + (dtype == DType.FLOAT32 ? "_f32" : "_f64");
    }

    /** Every concrete kernel name the host may launch; {@code withGpuOnly} adds the TF32 product. */
    static List<String> all(boolean withGpuOnly) {
        List<String> out = new ArrayList<>();
        for (String t : TYPED) {
            out.add(t + "_f32");
            out.add(t + "_f64");
        }
        out.add(CAST_F32_F64);
        out.add(CAST_F64_F32);
        if (withGpuOnly) {
            out.add(GEMM_TF32_F32);
        }
        return out;
    }
}
