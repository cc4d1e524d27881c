package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.rnn4j.spi.FusedKernel.Result;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.spi.Lengths;
import org.rnn4j.spi.SequenceArgs;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * The float32 LSTM and GRU sequence kernels with each step's gate math inside the tasks of its product ({@link Gemm#multiplyGrouped},
 * {@link VectorGates}) against the same kernels with product and gates one after the other: outputs and every
 * gradient equal bit for bit, training and forward-only calls, padded and reversed sequences, one task, several
 * tasks sharing the packed rows, and more rows than one task takes. (Both paths are checked against PyTorch by the
 * conformance suites; this test pins that the fused one computes the same floats.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FusedGatesTest {
    private final CpuBackend be = new CpuBackend(new BackendOptions(2));

    @BeforeAll
    void vectorKernelsOnly() {
        Assumptions.assumeTrue(Gemm.vectorAvailable() && Gemm.useVector(true),
                "the fused gates run only with the vector kernels (jdk.incubator.vector): " + Gemm.engine());
    }

    @AfterAll
    void close() {
        be.close();
    }

    @ParameterizedTest(name = "{0} B={1} T={2} H={3} padded={4} reverse={5}")
    @CsvSource({
        "LSTM_SEQUENCE, 3, 5, 32, false, false",   // one task
        "LSTM_SEQUENCE, 3, 5, 32, true, true",
        "LSTM_SEQUENCE, 64, 4, 256, false, false", // parallel tasks sharing the packed rows
        "LSTM_SEQUENCE, 64, 4, 256, true, false",
        "LSTM_SEQUENCE, 130, 3, 32, true, true",   // two row blocks
        "LSTM_SEQUENCE, 300, 2, 64, false, true",  // row blocks x column chunks on two threads
        "GRU_SEQUENCE, 3, 5, 32, true, false",
        "GRU_SEQUENCE, 64, 4, 256, false, true",
        "GRU_SEQUENCE, 64, 4, 256, true, false",
        "GRU_SEQUENCE, 130, 3, 64, true, true",
    })
    void fusedStepsComputeTheSameFloats(KernelKind kind, int batch, int steps, int hidden, boolean padded, boolean reverse) {
        int gates = kind == KernelKind.LSTM_SEQUENCE ? 4 : kind == KernelKind.GRU_SEQUENCE ? 3 : 1;
        SplittableRandom rng = new SplittableRandom(batch * 31L + steps * 7L + hidden);
        Tensor x = random(rng, batch, steps, gates * hidden);
        Tensor h0 = random(rng, batch, hidden);
        Tensor c0 = kind == KernelKind.LSTM_SEQUENCE ? random(rng, batch, hidden) : null;
        Tensor w = random(rng, gates * hidden, hidden);
        Tensor bhh = random(rng, gates * hidden);
        Tensor bih = random(rng, gates * hidden);
        int[] len = new int[batch];
        for (int b = 0; b < batch; b++) {
            len[b] = padded ? 1 + (b * 5 + 2) % steps : steps;
        }
        Lengths lengths = Lengths.of(len, batch, steps);
        int outputs = c0 != null ? 3 : 2;
        Tensor[] gradOut = {random(rng, batch, steps, hidden), random(rng, batch, hidden), c0 != null ? random(rng, batch, hidden) : null};
        var kernel = be.sequenceKernel(kind).orElseThrow();
        for (boolean backward : new boolean[] {true, false}) {
            SequenceArgs args = new SequenceArgs(x, h0, c0, w, bhh, bih, reverse, lengths, backward);
            boolean was = CpuSequenceKernel.fuseGates(false);
            double[][] plain;
            double[][] fused;
            try {
                plain = run(kernel.apply(args), outputs, backward, gradOut);
                CpuSequenceKernel.fuseGates(true);
                fused = run(kernel.apply(args), outputs, backward, gradOut);
            } finally {
                CpuSequenceKernel.fuseGates(was);
            }
            assertEquals(plain.length, fused.length);
            for (int i = 0; i < plain.length; i++) {
                if (plain[i] == null) {
                    assertEquals(null, fused[i], "entry " + i);
                    continue;
                }
                assertArrayEquals(plain[i], fused[i], 0.0, (backward ? "training call" : "forward-only call") + ", output/gradient " + i);
            }
            assertTrue(java.util.Arrays.stream(plain[0]).anyMatch(v -> v != 0), "the outputs must not be all zero");
        }
    }

    /**
     * One thread against two on a sequence large enough that every split runs (the step's products and gate math, the
     * backward's gate gradients, its reordering of {@code dxProj} and the bias column sums): the same floats.
     */
    @org.junit.jupiter.api.Test
    void theThreadCountDoesNotChangeAnyOutputOrGradient() {
        int batch = 64;
        int steps = 20;
        int hidden = 256;
        CpuBackend one = new CpuBackend(new BackendOptions(1));
        try {
            double[][][] all = new double[2][][];
            int r = 0;
            for (CpuBackend backend : new CpuBackend[] {one, be}) {
                SplittableRandom rng = new SplittableRandom(77);
                Tensor x = random(backend, rng, batch, steps, 4 * hidden);
                Tensor h0 = random(backend, rng, batch, hidden);
                Tensor c0 = random(backend, rng, batch, hidden);
                Tensor w = random(backend, rng, 4 * hidden, hidden);
                Tensor bhh = random(backend, rng, 4 * hidden);
                Tensor bih = random(backend, rng, 4 * hidden);
                Tensor[] gradOut = {random(backend, rng, batch, steps, hidden), random(backend, rng, batch, hidden), random(backend, rng, batch, hidden)};
                var kernel = backend.sequenceKernel(KernelKind.LSTM_SEQUENCE).orElseThrow();
                all[r++] = run(kernel.apply(new SequenceArgs(x, h0, c0, w, bhh, bih, false, null, true)), 3, true, gradOut);
            }
            for (int i = 0; i < all[0].length; i++) {
                if (all[0][i] != null) {
                    assertArrayEquals(all[0][i], all[1][i], 0.0, "output/gradient " + i + ", 1 thread vs 2");
                }
            }
        } finally {
            one.close();
        }
    }

    /** The outputs, then (for a training call) the gradient of every argument. */
    private static double[][] run(Result r, int outputs, boolean backward, Tensor[] gradOut) {
        Tensor[] outs = r.outputs();
        Tensor[] grads = backward ? r.backward(java.util.Arrays.copyOf(gradOut, outputs)) : new Tensor[0];
        double[][] all = new double[outs.length + grads.length][];
        for (int i = 0; i < outs.length; i++) {
            all[i] = outs[i].toDoubleArray();
        }
        for (int i = 0; i < grads.length; i++) {
            all[outs.length + i] = grads[i] == null ? null : grads[i].toDoubleArray();
        }
        return all;
    }

    private Tensor random(SplittableRandom rng, int... shape) {
        return random(be, rng, shape);
    }

    private static Tensor random(CpuBackend backend, SplittableRandom rng, int... shape) {
        return TestSupport.uniform(backend, rng, 1, DType.FLOAT32, shape);
    }
}
