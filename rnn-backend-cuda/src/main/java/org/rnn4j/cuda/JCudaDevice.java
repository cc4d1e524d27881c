package org.rnn4j.cuda;

import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import org.rnn4j.backend.BackendException;

/**
 * A {@link Device} on the CUDA driver API through JCuda: the device's primary context, the kernel module
 * loaded from {@link KernelImage#fatbin()}, and one stream that every call is enqueued on. Errors become
 * {@link BackendException}s naming the call and the driver's error; a kernel's fault surfaces at the next
 * synchronisation (a download).
 *
 * <p>Every JCuda call of the backend is in this class and in {@link CudaRuntime}; nothing here runs on a
 * machine without a GPU, where the backend is unavailable. Thread-safe: calls are serialised, and the
 * context is made current on each calling thread.
 */
final class JCudaDevice implements Device {
    /** Device properties read once. */
    record Properties(int ordinal, String name, int major, int minor, int multiprocessors, long totalBytes) {
        String describe() {
            return String.format(java.util.Locale.ROOT, "%s (device %d, compute capability %d.%d, %d SMs, %.1f GiB)", name, ordinal, major,
                    minor, multiprocessors, totalBytes / (1024.0 * 1024 * 1024));
        }
    }

    /** A device pointer whose numeric address can be read. */
    private static final class DevicePointer extends CUdeviceptr {
        long address() {
            return getNativePointer();
        }
    }

    private final Properties properties;
    private final CUdevice device;
    private final CUcontext context;
    private final CUmodule module;
    private final CUstream stream;
    private final String code;
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    /** The dynamic shared memory each function was allowed beyond the default 48 KiB. */
    private final Map<String, Integer> sharedAllowed = new ConcurrentHashMap<>();
    private final NavigableMap<Long, DevicePointer> allocations = new TreeMap<>();
    private boolean closed;
    /** The thread that made the context current last (calls are serialised, so a plain field suffices). */
    private Thread currentOn;

    private JCudaDevice(Properties properties, CUdevice device, CUcontext context, CUmodule module, CUstream stream, String code) {
        this.properties = properties;
        this.device = device;
        this.context = context;
        this.module = module;
        this.stream = stream;
        this.code = code;
    }

    /** Throws a {@link BackendException} naming {@code call} unless {@code result} is CUDA_SUCCESS. */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new BackendException("cuda: " + call + " failed: " + CUresult.stringFor(result));
        }
    }

    /** The properties of device {@code ordinal} (cuInit must have succeeded). */
    static Properties query(int ordinal) {
        CUdevice d = new CUdevice();
        check(JCudaDriver.cuDeviceGet(d, ordinal), "cuDeviceGet(" + ordinal + ")");
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, d), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new Properties(ordinal, new String(name, 0, len, java.nio.charset.StandardCharsets.UTF_8),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), totalMemory(d));
    }

    private static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        check(JCudaDriver.cuDeviceGetAttribute(v, attribute, d), "cuDeviceGetAttribute(" + attribute + ")");
        return v[0];
    }

    private static long totalMemory(CUdevice d) {
        long[] v = new long[1];
        check(JCudaDriver.cuDeviceTotalMem(v, d), "cuDeviceTotalMem");
        return v[0];
    }

    /**
     * Opens device {@code ordinal}: retains its primary context, loads the kernels and creates the stream.
     *
     * @param code which of the image's codes the device runs (for {@link #describe()})
     */
    static JCudaDevice open(Properties p, String code) {
        CUdevice d = new CUdevice();
        check(JCudaDriver.cuDeviceGet(d, p.ordinal()), "cuDeviceGet(" + p.ordinal() + ")");
        CUcontext ctx = new CUcontext();
        check(JCudaDriver.cuDevicePrimaryCtxRetain(ctx, d), "cuDevicePrimaryCtxRetain");
        CUmodule module = new CUmodule();
        CUstream stream = new CUstream();
        try {
            check(JCudaDriver.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            check(JCudaDriver.cuModuleLoadData(module, KernelImage.fatbin()), "cuModuleLoadData(" + KernelImage.FATBIN + ")");
            check(JCudaDriver.cuStreamCreate(stream, 0), "cuStreamCreate");
        } catch (RuntimeException e) {
            JCudaDriver.cuDevicePrimaryCtxRelease(d);
            throw e;
        }
        return new JCudaDevice(p, d, ctx, module, stream, code);
    }

    Properties properties() {
        return properties;
    }

    /** Free and total device memory in bytes. */
    synchronized long[] memoryInfo() {
        current();
        long[] free = new long[1];
        long[] total = new long[1];
        check(JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    /** Makes the context current on this thread (once per change of thread; rnn4j never unsets it). */
    private void current() {
        if (closed) {
            throw new IllegalStateException("cuda device " + properties.ordinal() + " was closed");
        }
        Thread t = Thread.currentThread();
        if (t != currentOn) {
            check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            currentOn = t;
        }
    }

    @Override
    public String describe() {
        return properties.describe() + ", running " + code;
    }

    @Override
    public boolean supportsTf32() {
        return properties.major() >= 8;
    }

    @Override
    public synchronized long malloc(long bytes) {
        current();
        DevicePointer p = new DevicePointer();
        int r = JCudaDriver.cuMemAlloc(p, bytes);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceAllocator.OutOfDeviceMemory(CUresult.stringFor(r));
        }
        check(r, "cuMemAlloc(" + bytes + " bytes)");
        allocations.put(p.address(), p);
        return p.address();
    }

    @Override
    public synchronized void free(long address) {
        current();
        DevicePointer p = allocations.remove(address);
        if (p == null) {
            throw new IllegalArgumentException("cuda: free of 0x" + Long.toHexString(address) + ", which is not a live allocation");
        }
        check(JCudaDriver.cuMemFree(p), "cuMemFree");
    }

    /** A driver pointer to {@code address}, which lies in a live allocation. */
    private CUdeviceptr pointer(long address) {
        Map.Entry<Long, DevicePointer> e = allocations.floorEntry(address);
        if (e == null) {
            throw new IllegalArgumentException("cuda: address 0x" + Long.toHexString(address) + " is in no live allocation");
        }
        long offset = address - e.getKey();
        return offset == 0 ? e.getValue() : e.getValue().withByteOffset(offset);
    }

    @Override
    public synchronized void upload(long dst, Object src, int offset, int length) {
        current();
        Pointer host;
        long bytes;
        if (src instanceof float[] f) {
            host = Pointer.to(f).withByteOffset((long) offset * Float.BYTES);
            bytes = (long) length * Float.BYTES;
        } else if (src instanceof double[] d) {
            host = Pointer.to(d).withByteOffset((long) offset * Double.BYTES);
            bytes = (long) length * Double.BYTES;
        } else if (src instanceof int[] i) {
            host = Pointer.to(i).withByteOffset((long) offset * Integer.BYTES);
            bytes = (long) length * Integer.BYTES;
        } else {
            throw new IllegalArgumentException("upload: expected float[], double[] or int[], got " + src);
        }
        // from pageable memory the driver stages the data before returning, so the array may change afterwards
        check(JCudaDriver.cuMemcpyHtoDAsync(pointer(dst), host, bytes, stream), "cuMemcpyHtoDAsync(" + bytes + " bytes)");
    }

    @Override
    public synchronized void download(long src, float[] dst, int length) {
        current();
        check(JCudaDriver.cuMemcpyDtoHAsync(Pointer.to(dst), pointer(src), (long) length * Float.BYTES, stream), "cuMemcpyDtoHAsync");
        sync();
    }

    @Override
    public synchronized void download(long src, double[] dst, int length) {
        current();
        check(JCudaDriver.cuMemcpyDtoHAsync(Pointer.to(dst), pointer(src), (long) length * Double.BYTES, stream), "cuMemcpyDtoHAsync");
        sync();
    }

    @Override
    public synchronized void copy(long dst, long src, long bytes) {
        current();
        check(JCudaDriver.cuMemcpyDtoDAsync(pointer(dst), pointer(src), bytes, stream), "cuMemcpyDtoDAsync(" + bytes + " bytes)");
    }

    @Override
    public synchronized void zero(long dst, long bytes) {
        current();
        check(JCudaDriver.cuMemsetD8Async(pointer(dst), (byte) 0, bytes, stream), "cuMemsetD8Async(" + bytes + " bytes)");
    }

    /** Lets {@code name} use {@code bytes} of dynamic shared memory (needed above 48 KiB). */
    private CUfunction allowShared(String name, int bytes) {
        CUfunction f = function(name);
        if (bytes > 48 * 1024 && sharedAllowed.getOrDefault(name, 0) < bytes) {
            check(JCudaDriver.cuFuncSetAttribute(f, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
                    "cuFuncSetAttribute(" + name + ", MAX_DYNAMIC_SHARED_SIZE_BYTES, " + bytes + ")");
            sharedAllowed.put(name, bytes);
        }
        return f;
    }

    @Override
    public int maxSharedBytesPerBlock() {
        return attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
    }

    @Override
    public synchronized int maxCoResidentBlocks(String name, int threads, int sharedBytes) {
        current();
        if (attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH) == 0) {
            return 0;
        }
        int[] perSm = new int[1];
        check(JCudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor(perSm, allowShared(name, sharedBytes), threads, sharedBytes),
                "cuOccupancyMaxActiveBlocksPerMultiprocessor(" + name + ")");
        return perSm[0] * properties.multiprocessors();
    }

    private CUfunction function(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            check(JCudaDriver.cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
            return f;
        });
    }

    @Override
    public synchronized void launch(String name, Launch.Config config, KernelArgs args) {
        current();
        Pointer[] params = new Pointer[args.count()];
        for (int i = 0; i < params.length; i++) {
            long v = args.slot(i);
            params[i] = switch (args.kind(i)) {
                case PTR, I64 -> Pointer.to(new long[] {v});
                case I32 -> Pointer.to(new int[] {(int) v});
                case F32 -> Pointer.to(new float[] {Float.intBitsToFloat((int) v)});
                case F64 -> Pointer.to(new double[] {Double.longBitsToDouble(v)});
            };
        }
        Launch.Dim3 g = config.grid();
        Launch.Dim3 b = config.block();
        CUfunction f = allowShared(name, config.sharedBytes());
        if (config.cooperative()) {
            check(JCudaDriver.cuLaunchCooperativeKernel(f, g.x(), g.y(), g.z(), b.x(), b.y(), b.z(), config.sharedBytes(), stream,
                    Pointer.to(params)), "cuLaunchCooperativeKernel(" + name + ", " + Launch.describe(config) + ")");
        } else {
            check(JCudaDriver.cuLaunchKernel(f, g.x(), g.y(), g.z(), b.x(), b.y(), b.z(), config.sharedBytes(), stream, Pointer.to(params), null),
                    "cuLaunchKernel(" + name + ", " + Launch.describe(config) + ")");
        }
    }

    private void sync() {
        int r = JCudaDriver.cuStreamSynchronize(stream);
        if (r != CUresult.CUDA_SUCCESS) {
            throw new BackendException("cuda: a kernel or copy enqueued earlier failed (reported at cuStreamSynchronize): " + CUresult.stringFor(r)
                    + "; the context is unusable after a device fault, restart the process");
        }
    }

    @Override
    public synchronized void synchronize() {
        current();
        sync();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            JCudaDriver.cuStreamSynchronize(stream);
            for (DevicePointer p : allocations.values()) {
                JCudaDriver.cuMemFree(p);
            }
            allocations.clear();
            JCudaDriver.cuStreamDestroy(stream);
            JCudaDriver.cuModuleUnload(module);
        } finally {
            closed = true;
            JCudaDriver.cuDevicePrimaryCtxRelease(device);
        }
    }
}
