package org.rnn4j.cuda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.rnn4j.backend.BackendException;

/**
 * A {@link Device} whose kernels run in the emulator process ({@code emu_server.cpp}, built by
 * {@link EmulatorBuild}): the backend's real kernels, compiled for the host, with CUDA's execution model.
 * As on a GPU, frees, copies and launches are enqueued without waiting (written to the emulator's input
 * and run in order); their first error (an out-of-bounds write, a bad address) is reported by the next
 * request that waits for a reply (an allocation, a download, {@link #synchronize()}), as a
 * {@link BackendException} with the emulator's message; a crash or a deadlocked barrier ends the
 * emulator and is reported with its standard error.
 */
final class EmulatedDevice implements Device {
    private static final int ALLOC = 1;
    private static final int FREE = 2;
    private static final int UPLOAD = 3;
    private static final int DOWNLOAD = 4;
    private static final int COPY = 5;
    private static final int MEMSET = 6;
    private static final int LAUNCH = 7;
    private static final int KERNELS = 8;
    private static final int STATS = 9;
    private static final int QUIT = 10;
    private static final int SYNC = 11;
    private static final int ARENA = 12;
    private static final int LAUNCH_COOPERATIVE = 13;
    /** Blocks the emulator runs together in a cooperative launch: few, so that the tests give each several hidden units. */
    static final int CO_RESIDENT_BLOCKS = 4;
    /** Alignment of allocations in the arena (CUDA's cudaMalloc gives 256). */
    private static final long ALIGN = 256;

    /** The emulator's own counters. */
    record Stats(long liveAllocations, long liveBytes, long launches, long fiberSwitches) {
    }

    private final Process process;
    private final OutputStream out;
    private final InputStream in;
    private final Path stderr;
    private boolean closed;
    // the arena's placement, done here so that allocating needs no round trip
    private long arenaBase;
    private long arenaEnd;
    private long guard;
    private long bump;
    private final java.util.Map<Long, java.util.ArrayDeque<Long>> freeSlots = new java.util.HashMap<>();
    private final java.util.Map<Long, Long> slotOf = new java.util.HashMap<>();

    private EmulatedDevice(Process process, Path stderr) {
        this.process = process;
        this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
        this.in = new BufferedInputStream(process.getInputStream(), 1 << 16);
        this.stderr = stderr;
    }

    private synchronized void readArena() {
        call(request(ARENA, 0));
        status("arena");
        ByteBuffer b = readLE(24);
        arenaBase = b.getLong();
        arenaEnd = arenaBase + b.getLong();
        guard = b.getLong();
        bump = arenaBase;
    }

    /** Starts an emulator process (building it first if needed). */
    static EmulatedDevice start() {
        Path exe = EmulatorBuild.binary();
        try {
            Path err = Files.createTempFile("rnn4j-cuda-emu-", ".stderr");
            err.toFile().deleteOnExit();
            ProcessBuilder pb = new ProcessBuilder(exe.toString()).redirectError(err.toFile());
            String profile = System.getProperty("rnn4j.cuda.emu.profile");
            if (profile != null && !profile.isBlank()) {
                pb.environment().put("RNN4J_EMU_PROFILE", profile); // per-kernel launches and CPU time, written at exit
            }
            Process p = pb.start();
            EmulatedDevice d = new EmulatedDevice(p, err);
            d.readArena();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                d.close(); // QUIT lets the emulator exit normally (and write its profile)
                try {
                    p.waitFor(2, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
                p.destroy();
            }, "cuda-emu-shutdown"));
            return d;
        } catch (IOException e) {
            throw new BackendException("cannot start the CUDA emulator " + exe + ": " + e, e);
        }
    }

    @Override
    public String describe() {
        return "CUDA emulator (host fibers, " + EmulatorBuild.CXX + ")";
    }

    @Override
    public boolean supportsTf32() {
        return false;
    }

    @Override
    public int maxSharedBytesPerBlock() {
        return 96 << 10;
    }

    @Override
    public int maxCoResidentBlocks(String name, int threads, int sharedBytes) {
        return CO_RESIDENT_BLOCKS;
    }

    // ---- protocol ----

    private ByteBuffer request(int op, int payload) {
        ByteBuffer b = ByteBuffer.allocate(1 + payload).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) op);
        return b;
    }

    /** Writes a request; {@code reply} flushes it because a reply will be awaited (enqueued requests stay buffered). */
    private void send(ByteBuffer b, byte[] tail, boolean reply) {
        if (closed) {
            throw new IllegalStateException("the CUDA emulator was closed");
        }
        try {
            out.write(b.array(), 0, b.position());
            if (tail != null) {
                out.write(tail);
            }
            if (reply) {
                out.flush();
            }
        } catch (IOException e) {
            throw died("writing a request", e);
        }
    }

    private void enqueue(ByteBuffer b, byte[] tail) {
        send(b, tail, false);
    }

    private void call(ByteBuffer b) {
        send(b, null, true);
    }

    private byte[] read(int n) {
        try {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new EOFException("the emulator closed its output");
            }
            return b;
        } catch (IOException e) {
            throw died("reading a reply", e);
        }
    }

    private ByteBuffer readLE(int n) {
        return ByteBuffer.wrap(read(n)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads the status byte; an error reply becomes an exception with the emulator's message. */
    private void status(String what) {
        int s = read(1)[0];
        if (s != 0) {
            int len = readLE(2).getShort() & 0xFFFF;
            String message = new String(read(len), StandardCharsets.UTF_8);
            if (message.startsWith("out of memory")) {
                throw new DeviceAllocator.OutOfDeviceMemory(message);
            }
            throw new BackendException("cuda emulator: " + what + ": " + message);
        }
    }

    private BackendException died(String doing, IOException e) {
        String err = "";
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            err = Files.readString(stderr).trim();
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
        String code = process.isAlive() ? "still running" : "exit status " + process.exitValue();
        return new BackendException("cuda emulator died while " + doing + " (" + code + ")" + (err.isEmpty() ? "" : ": " + err), e);
    }

    // ---- Device ----

    /** Bytes from a slot's start to its allocation: the leading guard, rounded up to the alignment. */
    private long lead() {
        return (guard + ALIGN - 1) / ALIGN * ALIGN;
    }

    /**
     * Places the allocation in the arena (reusing a freed slot of the same size, else at the end) and
     * announces it; the emulator fills it and its guards in stream order.
     */
    @Override
    public synchronized long malloc(long bytes) {
        long lead = lead();
        long slot = (lead + bytes + guard + ALIGN - 1) / ALIGN * ALIGN;
        java.util.ArrayDeque<Long> free = freeSlots.get(slot);
        long start;
        if (free != null && !free.isEmpty()) {
            start = free.pop();
        } else {
            if (bump + slot > arenaEnd) {
                throw new DeviceAllocator.OutOfDeviceMemory("out of memory: the emulator's arena of " + (arenaEnd - arenaBase) + " bytes is full");
            }
            start = bump;
            bump += slot;
        }
        long address = start + lead;
        slotOf.put(address, slot);
        enqueue(request(ALLOC, 16).putLong(address).putLong(bytes), null);
        return address;
    }

    @Override
    public synchronized void free(long address) {
        Long slot = slotOf.remove(address);
        if (slot == null) {
            throw new IllegalArgumentException("cuda emulator: free of 0x" + Long.toHexString(address) + ", which is not a live allocation");
        }
        freeSlots.computeIfAbsent(slot, k -> new java.util.ArrayDeque<>()).push(address - lead());
        enqueue(request(FREE, 8).putLong(address), null);
    }

    @Override
    public synchronized void upload(long dst, Object src, int offset, int length) {
        ByteBuffer data;
        if (src instanceof float[] f) {
            data = ByteBuffer.allocate(length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            data.asFloatBuffer().put(f, offset, length);
        } else if (src instanceof double[] d) {
            data = ByteBuffer.allocate(length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            data.asDoubleBuffer().put(d, offset, length);
        } else if (src instanceof int[] i) {
            data = ByteBuffer.allocate(length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            data.asIntBuffer().put(i, offset, length);
        } else {
            throw new IllegalArgumentException("upload: expected float[], double[] or int[], got " + src);
        }
        enqueue(request(UPLOAD, 16).putLong(dst).putLong(data.capacity()), data.array());
    }

    @Override
    public synchronized void download(long src, float[] dst, int length) {
        call(request(DOWNLOAD, 16).putLong(src).putLong((long) length * Float.BYTES));
        status("download");
        readLE(length * Float.BYTES).asFloatBuffer().get(dst, 0, length);
    }

    @Override
    public synchronized void download(long src, double[] dst, int length) {
        call(request(DOWNLOAD, 16).putLong(src).putLong((long) length * Double.BYTES));
        status("download");
        readLE(length * Double.BYTES).asDoubleBuffer().get(dst, 0, length);
    }

    @Override
    public synchronized void copy(long dst, long src, long bytes) {
        enqueue(request(COPY, 24).putLong(dst).putLong(src).putLong(bytes), null);
    }

    @Override
    public synchronized void zero(long dst, long bytes) {
        enqueue(request(MEMSET, 17).putLong(dst).put((byte) 0).putLong(bytes), null);
    }

    @Override
    public synchronized void launch(String name, Launch.Config config, KernelArgs args) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = request(config.cooperative() ? LAUNCH_COOPERATIVE : LAUNCH, 2 + n.length + 24 + 4 + 2 + 8 * args.count());
        b.putShort((short) n.length).put(n);
        Launch.Dim3 g = config.grid();
        Launch.Dim3 k = config.block();
        b.putInt(g.x()).putInt(g.y()).putInt(g.z()).putInt(k.x()).putInt(k.y()).putInt(k.z()).putInt(config.sharedBytes());
        b.putShort((short) args.count());
        for (int i = 0; i < args.count(); i++) {
            b.putLong(args.slot(i));
        }
        enqueue(b, null);
    }

    @Override
    public synchronized void synchronize() {
        call(request(SYNC, 0));
        status("synchronize");
    }

    /** The kernels the emulator has, by name. */
    synchronized List<String> kernels() {
        call(request(KERNELS, 0));
        status("kernel list");
        int count = readLE(4).getInt();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int len = readLE(2).getShort() & 0xFFFF;
            names.add(new String(read(len), StandardCharsets.US_ASCII));
        }
        return names;
    }

    /** The emulator's counters (its own view of the device memory). */
    synchronized Stats stats() {
        call(request(STATS, 0));
        status("stats");
        ByteBuffer b = readLE(32);
        return new Stats(b.getLong(), b.getLong(), b.getLong(), b.getLong());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            call(request(QUIT, 0));
            status("quit");
        } catch (RuntimeException ignored) {
            // it is going away either way
        } finally {
            closed = true;
        }
    }
}
