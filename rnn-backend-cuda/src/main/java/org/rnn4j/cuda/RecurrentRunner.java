package org.rnn4j.cuda;

import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.DType;

/**
 * One layer and direction of a recurrent network over a whole sequence on the device: for every step one
 * matrix product ({@code h W_hh^T}, with the step's input projection as its addend where the cell allows)
 * and one pointwise kernel of {@code rnn.cu}, all enqueued without a host synchronisation. What the
 * backward pass needs is kept per step; backward runs backpropagation through time the same way (one
 * pointwise kernel and one product {@code dh += dpre_t W_hh} per step), then the weight gradient as one
 * product over all steps ({@code dW_hh = dpre^T hprev}) and the bias gradients as column sums.
 *
 * <p>For batches of up to 8, where one step's product is too small to fill the GPU, the forward pass is
 * instead one persistent kernel for all steps ({@code rnn_persistent_fwd}, see {@link Launch#persistent})
 * when the device can hold every block's slice of {@code W_hh} in shared memory at once; it writes the same
 * outputs and saved activations, so backward is the same either way.
 *
 * <p>The cell kernels are sequences of one step. Arguments are assumed valid (checked by the callers in
 * {@link CudaFusedKernels}); nothing given is modified.
 */
final class RecurrentRunner {

    /** The recurrent cells, with their step kernels. */
    enum Cell {
        LSTM(4, true, Kernels.LSTM_FWD_STEP, Kernels.LSTM_BWD_STEP, Ops.ACT_NONE, 0),
        GRU(3, false, Kernels.GRU_FWD_STEP, Kernels.GRU_BWD_STEP, Ops.ACT_NONE, 1),
        RNN_TANH(1, false, Kernels.RNN_FWD_STEP, Kernels.RNN_BWD_STEP, Ops.ACT_TANH, 2),
        RNN_RELU(1, false, Kernels.RNN_FWD_STEP, Kernels.RNN_BWD_STEP, Ops.ACT_RELU, 2);

        final int gates;
        final boolean hasCellState;
        final String forwardKernel;
        final String backwardKernel;
        final int act;
        /** The {@code cell} argument of {@code rnn_persistent_fwd}. */
        final int persistentCode;

        Cell(int gates, boolean hasCellState, String forwardKernel, String backwardKernel, int act, int persistentCode) {
            this.gates = gates;
            this.hasCellState = hasCellState;
            this.forwardKernel = forwardKernel;
            this.backwardKernel = backwardKernel;
            this.act = act;
            this.persistentCode = persistentCode;
        }

        /** The cell of a kernel kind (cell step or sequence). */
        static Cell of(KernelKind kind) {
            return switch (kind.cellKind()) {
                case LSTM_CELL -> LSTM;
                case GRU_CELL -> GRU;
                case RNN_TANH_CELL -> RNN_TANH;
                case RNN_RELU_CELL -> RNN_RELU;
                default -> throw new IllegalArgumentException("no cell for " + kind);
            };
        }
    }

    private final CudaBackend backend;
    private final Cell cell;
    private final DType dtype;
    private final int batch;
    private final int steps;
    private final int hidden;
    private final boolean reverse;
    /** Per-sequence lengths on the device, or null when every sequence has all steps. */
    private final DeviceAllocator.Lease lengths;
    private final CudaTensor w;
    private final boolean hasBhh;
    private final boolean hasBih;
    /** Whether a backward pass may follow (else no activations are saved). */
    private final boolean keep;
    // saved by forward for backward
    private CudaTensor y;
    private CudaTensor hprev;
    private CudaTensor acts;   // LSTM: i f g o; GRU: r z hn
    private CudaTensor cprev;  // LSTM
    private CudaTensor tanhc;  // LSTM
    private CudaTensor ngate;  // GRU

    private RecurrentRunner(CudaBackend backend, Cell cell, CudaTensor xp, CudaTensor w, boolean hasBhh, boolean hasBih, boolean reverse,
                            int[] lengths, int batch, int hidden, boolean keep) {
        this.keep = keep;
        this.backend = backend;
        this.cell = cell;
        this.dtype = xp.dtype();
        this.batch = batch;
        this.steps = xp.shapeRef()[1];
        this.hidden = hidden;
        this.reverse = reverse;
        this.w = w;
        this.hasBhh = hasBhh;
        this.hasBih = hasBih;
        if (lengths == null) {
            this.lengths = null;
        } else {
            this.lengths = backend.allocator().allocate(this, (long) lengths.length * Integer.BYTES);
            backend.deviceRef().upload(this.lengths.address(), lengths, 0, lengths.length);
        }
    }

    /**
     * Runs the sequence forward.
     *
     * @param xp      {@code [B, T, G*H]}
     * @param h0      {@code [B, H]}
     * @param c0      {@code [B, H]} for LSTM, else null
     * @param w       {@code [G*H, H]}
     * @param bhh     {@code [G*H]} or null
     * @param bih     {@code [G*H]} or null
     * @param lengths per-sequence lengths in {@code [1, T]}, or null for full sequences
     * @param keep    whether a backward pass may follow: false saves no activations (the outputs are the same)
     * @return the runner holding what backward needs, and the outputs {@code y [B,T,H], h_T, c_T (LSTM)}
     */
    static RecurrentRunner forward(CudaBackend backend, Cell cell, CudaTensor xp, CudaTensor h0, CudaTensor c0, CudaTensor w, CudaTensor bhh,
                                   CudaTensor bih, boolean reverse, int[] lengths, boolean keep, CudaTensor[] outputs) {
        int batch = h0.shapeRef()[0];
        int hidden = h0.shapeRef()[1];
        RecurrentRunner r = new RecurrentRunner(backend, cell, xp, w, bhh != null, bih != null, reverse, lengths, batch, hidden, keep);
        r.runForward(xp, h0, c0, bhh, bih, outputs);
        if (!keep && r.lengths != null) {
            r.lengths.release(); // a forward-only run holds nothing once its kernels are enqueued
        }
        return r;
    }

    private int time(int k) {
        return reverse ? steps - 1 - k : k;
    }

    /** The address of a tensor that may be absent (0 for none). */
    private static long addr(CudaTensor t) {
        return t == null ? 0 : t.address();
    }

    private long lengthsAddress() {
        return lengths == null ? 0 : lengths.address();
    }

    private void runForward(CudaTensor xp, CudaTensor h0, CudaTensor c0, CudaTensor bhh, CudaTensor bih, CudaTensor[] outputs) {
        int g = cell.gates * hidden;
        int bh = batch * hidden;
        CudaTensor h = backend.copyOf(h0);
        CudaTensor c = cell.hasCellState ? backend.copyOf(c0) : null;
        y = backend.empty(dtype, batch, steps, hidden);
        if (keep) {
            hprev = backend.empty(dtype, batch, steps, hidden);
            if (cell == Cell.LSTM) {
                acts = backend.empty(dtype, batch, steps, g);
                cprev = backend.empty(dtype, batch, steps, hidden);
                tanhc = backend.empty(dtype, batch, steps, hidden);
            } else if (cell == Cell.GRU) {
                acts = backend.empty(dtype, batch, steps, g);
                ngate = backend.empty(dtype, batch, steps, hidden);
            }
        }
        long bhhA = bhh == null ? 0 : bhh.address();
        long bihA = bih == null ? 0 : bih.address();
        java.util.Optional<Launch.Persistent> plan = backend.persistentPlan(cell.gates, batch, hidden, dtype);
        if (plan.isPresent()) {
            runPersistent(plan.get(), xp, h, c, bhh, bih);
            outputs[0] = y;
            outputs[1] = h;
            if (cell.hasCellState) {
                outputs[2] = c;
            }
            return;
        }
        String stepKernel = CudaBackend.kernel(cell.forwardKernel, dtype);
        Launch.Config pointwise = Launch.elementwise(Math.max(bh, 1));
        try (CudaTensor pre = backend.empty(dtype, batch, g)) {
            for (int k = 0; k < steps; k++) {
                int t = time(k);
                boolean addInput = cell != Cell.GRU;
                // pre = h W^T (+ xp[:, t]); xp rows are T*G apart
                backend.gemm(dtype, batch, g, hidden, h.address(), hidden, false, w.address(), hidden, true, pre.address(), g,
                        addInput ? xp.address((long) t * g) : 0, steps * g, h, w, pre, xp);
                if (bh == 0) {
                    continue;
                }
                KernelArgs args = KernelArgs.of();
                switch (cell) {
                    case LSTM -> args.ptr(pre.address()).ptr(bhhA).ptr(bihA).ptr(h.address()).ptr(c.address()).ptr(y.address())
                            .ptr(addr(acts)).ptr(addr(hprev)).ptr(addr(cprev)).ptr(addr(tanhc));
                    case GRU -> args.ptr(pre.address()).ptr(xp.address()).ptr(bhhA).ptr(bihA).ptr(h.address()).ptr(y.address())
                            .ptr(addr(acts)).ptr(addr(ngate)).ptr(addr(hprev));
                    default -> args.ptr(pre.address()).ptr(bhhA).ptr(bihA).ptr(h.address()).ptr(y.address()).ptr(addr(hprev));
                }
                args.ptr(lengthsAddress()).i32(batch).i32(steps).i32(hidden).i32(t);
                if (cell == Cell.RNN_TANH || cell == Cell.RNN_RELU) {
                    args.i32(cell.act);
                }
                backend.launch(stepKernel, pointwise, args, pre, xp, bhh, bih, h, c, this);
            }
        }
        outputs[0] = y;
        outputs[1] = h;
        if (cell.hasCellState) {
            outputs[2] = c;
        }
    }

    /** The whole forward pass as one cooperative launch; h and c hold h0 and c0 on entry and the final states on exit. */
    private void runPersistent(Launch.Persistent plan, CudaTensor xp, CudaTensor h, CudaTensor c, CudaTensor bhh, CudaTensor bih) {
        try (CudaTensor hAlt = backend.empty(dtype, batch, hidden); DeviceAllocator.Scratch barrier = backend.allocator().scratch(Integer.BYTES)) {
            backend.deviceRef().zero(barrier.address(), Integer.BYTES);
            KernelArgs args = KernelArgs.of().i32(cell.persistentCode).i32(cell.act).ptr(xp.address()).ptr(w.address())
                    .ptr(bhh == null ? 0 : bhh.address()).ptr(bih == null ? 0 : bih.address()).ptr(h.address()).ptr(hAlt.address())
                    .ptr(addr(c)).ptr(y.address()).ptr(addr(acts)).ptr(addr(hprev)).ptr(addr(cprev)).ptr(addr(tanhc)).ptr(addr(ngate))
                    .ptr(lengthsAddress()).ptr(barrier.address()).i32(batch).i32(steps).i32(hidden).i32(plan.units()).i32(reverse ? 1 : 0);
            backend.launch(CudaBackend.kernel(Kernels.RNN_PERSISTENT_FWD, dtype), plan.config(), args, xp, bhh, bih, h, c, hAlt, barrier, this);
            if (steps % 2 == 1) { // the final state is in the second buffer
                backend.deviceRef().copy(h.address(), hAlt.address(), (long) batch * hidden * dtype.bytes());
            }
        }
    }

    /**
     * Backpropagation through all steps.
     *
     * @param gy  gradient of {@code y [B,T,H]} or null
     * @param ghT gradient of {@code h_T} or null
     * @param gcT gradient of {@code c_T} (LSTM) or null
     * @return gradients of {@code xp, h0, c0, W_hh, b_hh, b_ih} (null for the cell state of a cell without one and for absent biases)
     */
    CudaTensor[] backward(CudaTensor gy, CudaTensor ghT, CudaTensor gcT) {
        if (!keep) {
            throw new IllegalStateException("a forward-only run kept no activations and has no backward pass");
        }
        int g = cell.gates * hidden;
        int bh = batch * hidden;
        CudaTensor dh = ghT != null ? backend.copyOf(ghT) : backend.zerosOf(dtype, batch, hidden);
        CudaTensor dc = !cell.hasCellState ? null : gcT != null ? backend.copyOf(gcT) : backend.zerosOf(dtype, batch, hidden);
        CudaTensor dxp = backend.empty(dtype, batch, steps, g);
        CudaTensor dhp = cell == Cell.GRU ? backend.empty(dtype, batch, steps, g) : dxp;
        long gyA = gy == null ? 0 : gy.address();
        String stepKernel = CudaBackend.kernel(cell.backwardKernel, dtype);
        Launch.Config pointwise = Launch.elementwise(Math.max(bh, 1));
        for (int k = steps - 1; k >= 0; k--) {
            int t = time(k);
            if (bh > 0) {
                KernelArgs args = KernelArgs.of();
                switch (cell) {
                    case LSTM -> args.ptr(acts.address()).ptr(tanhc.address()).ptr(cprev.address()).ptr(gyA).ptr(dh.address())
                            .ptr(dc.address()).ptr(dxp.address());
                    case GRU -> args.ptr(acts.address()).ptr(ngate.address()).ptr(hprev.address()).ptr(gyA).ptr(dh.address())
                            .ptr(dxp.address()).ptr(dhp.address());
                    default -> args.ptr(y.address()).ptr(gyA).ptr(dh.address()).ptr(dxp.address());
                }
                args.ptr(lengthsAddress()).i32(batch).i32(steps).i32(hidden).i32(t);
                if (cell == Cell.RNN_TANH || cell == Cell.RNN_RELU) {
                    args.i32(cell.act);
                }
                backend.launch(stepKernel, pointwise, args, gy, dh, dc, dxp, dhp, this);
            }
            // dh += dpre_t W_hh (rows of dpre are T*G apart)
            backend.gemm(dtype, batch, hidden, g, dhp.address((long) t * g), steps * g, false, w.address(), hidden, false, dh.address(), hidden,
                    dh.address(), hidden, dhp, w, dh);
        }
        int rows = batch * steps;
        CudaTensor dw = backend.empty(dtype, g, hidden);
        backend.gemm(dtype, g, hidden, rows, dhp.address(), g, true, hprev.address(), hidden, false, dw.address(), hidden, 0, 0, dhp, hprev, dw);
        CudaTensor dbhh = hasBhh ? backend.columnSums(dhp, rows, g) : null;
        CudaTensor dbih = !hasBih ? null : hasBhh && dhp == dxp ? backend.copyOf(dbhh) : backend.columnSums(dxp, rows, g);
        if (dhp != dxp) {
            dhp.close();
        }
        return new CudaTensor[] {dxp, dh, dc, dw, dbhh, dbih};
    }
}
