package org.rnn4j.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Not a unit test: times one float32 sequence kernel call of the cpu backend (2 threads), with each step's gate math
 * fused into its product ({@link Gemm#multiplyGrouped}) and without ({@code -Drnn4j.cpu.fusedGates=false}), alternating
 * the two in one JVM so that a shared machine disturbs both alike. Run by hand:
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> org.rnn4j.cpu.SequenceKernelTiming KIND B T H TRAIN CALLS [fused|plain]},
 * e.g. {@code LSTM_SEQUENCE 64 100 1024 true 8}: KIND is {@code LSTM_SEQUENCE} or {@code GRU_SEQUENCE}, TRAIN whether the
 * call keeps what backward needs and is backpropagated (the timing then covers forward and backward). Prints the
 * median and the minimum of the calls after the first two.
 */
public final class SequenceKernelTiming {
    private SequenceKernelTiming() {
    }

    public static void main(String[] args) {
        KernelKind kind = KernelKind.valueOf(args[0]);
        int batch = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        int hidden = Integer.parseInt(args[3]);
        boolean train = Boolean.parseBoolean(args[4]);
        int calls = Integer.parseInt(args[5]);
        String only = args.length > 6 ? args[6] : "";
        int gates = kind == KernelKind.LSTM_SEQUENCE ? 4 : 3;
        CpuBackend be = new CpuBackend(new BackendOptions(2));
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = random(be, rng, batch, steps, gates * hidden);
        Tensor h0 = random(be, rng, batch, hidden);
        Tensor c0 = gates == 4 ? random(be, rng, batch, hidden) : null;
        Tensor w = random(be, rng, gates * hidden, hidden);
        Tensor bhh = random(be, rng, gates * hidden);
        Tensor bih = random(be, rng, gates * hidden);
        Tensor[] gradOut = Arrays.copyOf(new Tensor[] {random(be, rng, batch, steps, hidden)}, gates == 4 ? 3 : 2);
        var kernel = be.sequenceKernel(kind).orElseThrow();
        SequenceArgs call = new SequenceArgs(x, h0, c0, w, bhh, bih, false, null, train);
        List<List<Long>> times = List.of(new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < calls + 2; r++) {
            for (int f = 0; f < 2; f++) {
                boolean fused = f == 1;
                if (!only.isEmpty() && !only.equals(fused ? "fused" : "plain")) {
                    continue;
                }
                CpuSequenceKernel.fuseGates(fused);
                long t0 = System.nanoTime();
                var result = kernel.apply(call);
                Tensor[] grads = train ? result.backward(gradOut) : new Tensor[0];
                long t1 = System.nanoTime();
                for (Tensor o : result.outputs()) {
                    o.close();
                }
                for (Tensor g : grads) {
                    if (g != null) {
                        g.close();
                    }
                }
                result.release();
                if (r >= 2) {
                    times.get(f).add(t1 - t0);
                }
            }
        }
        CpuSequenceKernel.fuseGates(true);
        for (int f = 0; f < 2; f++) {
            List<Long> t = times.get(f);
            if (t.isEmpty()) {
                continue;
            }
            Collections.sort(t);
            System.out.printf(Locale.ROOT, "%s B=%d T=%d H=%d %s, %s: median %.2f ms, min %.2f ms (%s)%n", kind, batch, steps, hidden,
                    train ? "forward + backward" : "forward only", f == 1 ? "gates fused" : "gates after the product",
                    t.get(t.size() / 2) / 1e6, t.get(0) / 1e6, Gemm.engine());
        }
        be.close();
    }

    private static Tensor random(CpuBackend be, SplittableRandom rng, int... shape) {
        return TestSupport.uniform(be, rng, 1, DType.FLOAT32, shape);
    }
}
