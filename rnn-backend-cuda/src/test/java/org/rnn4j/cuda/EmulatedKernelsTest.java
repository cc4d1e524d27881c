package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.rnn4j.backend.BackendException;
import org.rnn4j.backend.Backends;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.tensor.DType;

/**
 * {@link KernelChecks} with the kernels on the emulator, plus what only the emulator can check: that it
 * has exactly the kernels the host launches, that the device memory matches the allocator's bookkeeping,
 * and that an out-of-bounds write or an unknown kernel is reported.
 */
class EmulatedKernelsTest extends KernelChecks {

    @Override
    CudaBackend backend() {
        String why = EmulatorBuild.unavailableReason();
        if (why != null) {
            System.out.println("[EmulatedKernelsTest] skipping: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        return (CudaBackend) Backends.get(EmulatedCudaBackendProvider.NAME);
    }

    private EmulatedDevice device() {
        return (EmulatedDevice) emu.deviceRef();
    }

    @Override
    void deviceHolds(long bytes) {
        emu.synchronize();
        assertEquals(bytes, device().stats().liveBytes(), "the emulated device and the allocator disagree on the memory held");
    }

    @Test
    void theEmulatorHasExactlyTheKernelsTheHostLaunches() {
        assertEquals(new TreeSet<>(Kernels.all(false)), new TreeSet<>(device().kernels()),
                "every kernel but the GPU-only TF32 product must be registered (RNN4J_REGISTER)");
    }

    @Test
    void anOutOfBoundsWriteIsReportedWithTheKernelsName() {
        // a separate emulator: the error leaves its stream faulted, as on a GPU
        EmulatedDevice d = EmulatedDevice.start();
        try {
            long p = d.malloc(512);
            d.launch(Kernels.of(Kernels.FILL, DType.FLOAT32), Launch.elementwise(140), KernelArgs.of().ptr(p).f32(1f).i32(140));
            BackendException e = assertThrows(BackendException.class, d::synchronize);
            assertTrue(e.getMessage().contains("out-of-bounds write detected after kernel fill_f32") && e.getMessage().contains("(512 bytes)"),
                    e.getMessage());
            d.launch("no_such_kernel", Launch.elementwise(1), KernelArgs.of());
            BackendException unknown = assertThrows(BackendException.class, d::synchronize);
            assertTrue(unknown.getMessage().contains("no kernel of that name"), unknown.getMessage());
        } finally {
            d.close();
        }
    }

    @Test
    void thePersistentForwardEqualsTheStepByStepForward() {
        // the shared cuda-emu backend runs small batches persistently; this one, on its own emulator, step by step
        CudaBackend stepwise = new CudaBackend("cuda-emu-steps", "step by step", EmulatedDevice.start(), false, false, 64L << 20);
        try {
            for (KernelKind kind : new KernelKind[] {KernelKind.LSTM_SEQUENCE, KernelKind.GRU_SEQUENCE, KernelKind.RNN_TANH_SEQUENCE,
                    KernelKind.RNN_RELU_SEQUENCE}) {
                int b = 3;
                int t = 5;
                int h = 10; // 3 units per block over the emulator's 4 co-resident blocks, the last with 1
                assertTrue(emu.persistentPlan(kind.gates(), b, h, DType.FLOAT64).isPresent(), kind + " runs persistently on cuda-emu");
                assertTrue(stepwise.persistentPlan(kind.gates(), b, h, DType.FLOAT64).isEmpty());
                int g = kind.gates() * h;
                java.util.SplittableRandom rng = new java.util.SplittableRandom(kind.ordinal());
                double[][] data = {random(rng, b * t * g, 1), random(rng, b * h, 1), random(rng, b * h, 1), random(rng, g * h, 0.5),
                        random(rng, g, 0.3), random(rng, g, 0.3)};
                org.rnn4j.tensor.Tensor[][] outs = new org.rnn4j.tensor.Tensor[2][];
                CudaBackend[] both = {emu, stepwise};
                for (int i = 0; i < 2; i++) {
                    CudaBackend be = both[i];
                    org.rnn4j.spi.SequenceArgs args = new org.rnn4j.spi.SequenceArgs(be.fromDoubles(data[0], DType.FLOAT64, b, t, g),
                            be.fromDoubles(data[1], DType.FLOAT64, b, h), kind.hasCellState() ? be.fromDoubles(data[2], DType.FLOAT64, b, h) : null,
                            be.fromDoubles(data[3], DType.FLOAT64, g, h), be.fromDoubles(data[4], DType.FLOAT64, g),
                            be.fromDoubles(data[5], DType.FLOAT64, g), true, org.rnn4j.spi.Lengths.of(new int[] {5, 2, 4}, t));
                    outs[i] = be.sequenceKernel(kind).orElseThrow().apply(args).outputs();
                }
                for (int o = 0; o < outs[0].length; o++) {
                    double err = org.rnn4j.tensor.Tensors.relativeError(outs[0][o].toDoubleArray(), outs[1][o].toDoubleArray());
                    String what = kind.id() + " output " + o;
                    assertTrue(err <= 1e-14, () -> what + ": persistent and step-by-step differ by " + err);
                }
            }
        } finally {
            stepwise.close();
        }
    }
}
