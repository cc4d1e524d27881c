package org.rnn4j.cuda;

/**
 * What the backend needs from a CUDA device: memory, copies, kernel launches on one stream, and a
 * synchronisation point. {@link JCudaDevice} is the driver API through JCuda; the tests put an emulator
 * of the kernels behind the same interface. Every call is enqueued on the device's single stream in call
 * order, except the downloads, which wait for everything enqueued before them (the only host
 * synchronisation). Implementations are thread-safe.
 */
interface Device extends DeviceAllocator.RawMemory {

    /** One line naming the device, for diagnostics. */
    String describe();

    /** Whether the TF32 tensor-core product ({@code gemm_tf32_f32}) can run here. */
    boolean supportsTf32();

    /** Copies {@code length} elements of {@code src} (a {@code float[]}, {@code double[]} or {@code int[]}) from {@code offset} to {@code dst}. */
    void upload(long dst, Object src, int offset, int length);

    /** Waits for all enqueued work, then copies {@code length} floats from {@code src} into {@code dst}. */
    void download(long src, float[] dst, int length);

    /** Waits for all enqueued work, then copies {@code length} doubles from {@code src} into {@code dst}. */
    void download(long src, double[] dst, int length);

    /** Copies {@code bytes} bytes between device addresses (stream-ordered). */
    void copy(long dst, long src, long bytes);

    /** Sets {@code bytes} bytes at {@code dst} to zero (stream-ordered). */
    void zero(long dst, long bytes);

    /** The most dynamic shared memory a block may use (the device's opt-in limit), in bytes. */
    int maxSharedBytesPerBlock();

    /**
     * How many blocks of {@code threads} threads and {@code sharedBytes} dynamic shared memory of the kernel
     * {@code name} can be resident on the device at once, which bounds a cooperative launch; 0 when the
     * device cannot launch cooperatively.
     */
    int maxCoResidentBlocks(String name, int threads, int sharedBytes);

    /** Enqueues the kernel {@code name} with {@code config} (cooperatively when it says so) and {@code args}. */
    void launch(String name, Launch.Config config, KernelArgs args);

    /** Waits until all enqueued work has finished; device faults of earlier launches surface here. */
    void synchronize();

    /** Releases the device's resources (the stream, the module, the context reference); idempotent. */
    void close();
}
