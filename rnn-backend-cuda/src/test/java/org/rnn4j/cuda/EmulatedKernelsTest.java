package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.rnn4j.backend.BackendException;
import org.rnn4j.backend.Backends;
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
}
