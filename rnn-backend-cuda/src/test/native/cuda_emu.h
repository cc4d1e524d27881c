/*
 * A small CUDA emulator for testing rnn4j's kernels on the host (no GPU): force-included (g++ -include) in
 * front of src/main/cuda/rnn4j.cu, it turns the kernels into ordinary C++ functions and runs them with
 * CUDA's execution model:
 *
 *   - blocks run one after another; the threads of a block run as one fiber per CUDA thread, switched
 *     cooperatively on one OS thread (a few instructions on x86-64, ucontext elsewhere), so execution is
 *     deterministic;
 *   - __shared__ is 'static': one instance per kernel, which is per-block memory because blocks never
 *     overlap;
 *   - __syncthreads() is a barrier across the live threads of the block; __syncwarp() and the shuffles
 *     are barriers across the live lanes of the warp (32 consecutive linear thread ids), a shuffle
 *     publishing each lane's value in a per-thread slot before its barrier and reading after it;
 *   - a barrier reached by only part of the block or warp while the rest waits elsewhere is a deadlock on
 *     a GPU too: the emulator aborts with a message;
 *   - atomics are plain read-modify-writes (fibers switch only at barriers);
 *   - a cooperative launch (cuLaunchCooperativeKernel) runs all its blocks' threads together, each block
 *     with its own dynamic shared memory, and a grid barrier (emu::gridSync) joins them all;
 *   - dynamic shared memory starts filled with 0xFF (NaN), so reading what was never written shows;
 *   - launch limits are CUDA's (1024 threads per block, grid y and z at most 65535).
 * Kernels register themselves by name (RNN4J_REGISTER in common.cuh) with their parameter types; the
 * server (emu_server.cpp) calls them with parameters given as 8-byte slots, as cuLaunchKernel would.
 */
#ifndef RNN4J_CUDA_EMU_H
#define RNN4J_CUDA_EMU_H

#define RNN4J_EMULATION 1

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if !defined(__x86_64__)
#include <ucontext.h>
#endif

#include <map>
#include <vector>
#include <string>
#include <type_traits>
#include <utility>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
#define __shared__ static

struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace emu {

constexpr int kWarp = 32;
constexpr int kMaxThreads = 1024;
constexpr int kMaxFibers = 4096; /* threads run together: one block, or every block of a cooperative launch */
constexpr size_t kStackBytes = 128 * 1024;

enum State { RUNNABLE = 0, AT_BLOCK_BARRIER = 1, AT_WARP_BARRIER = 2, AT_GRID_BARRIER = 3, DONE = 4 };

#if defined(__x86_64__)
/* saves the callee-saved registers, MXCSR and the x87 control word on the current stack, stores the stack
   pointer in *save, and resumes the context whose stack pointer is next */
extern "C" void rnn4j_emu_switch(void** save, void* next);
asm(R"(
    .text
    .globl rnn4j_emu_switch
    .type rnn4j_emu_switch, @function
rnn4j_emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size rnn4j_emu_switch, .-rnn4j_emu_switch
)");
#endif

struct Fiber {
#if defined(__x86_64__)
    void* sp;
#else
    ucontext_t context;
#endif
    dim3 tid;     /* threadIdx */
    dim3 block;   /* blockIdx */
    int linear;   /* linear thread index within the block */
    int slot;     /* which of the blocks running together (0 except in cooperative launches) */
    int state;
    int shuffles; /* shuffles done, selecting the slot bank */
};

struct Emulator {
    dim3 blockSize, gridSize;
    Fiber* current = nullptr;
#if defined(__x86_64__)
    void* scheduler = nullptr;
#else
    ucontext_t scheduler;
#endif
    Fiber fibers[kMaxFibers];
    char* stacks[kMaxFibers] = {};
    uint64_t slots[2][kMaxFibers]; /* double-buffered: one barrier per shuffle */
    int threads = 0;               /* per block */
    int fiberCount = 0;            /* threads of the blocks running together */
    std::vector<unsigned char> dynamicShared;
    size_t dynamicBytes = 0;
    void (*body)(void*) = nullptr;
    void* bodyArg = nullptr;
    const char* kernel = "?";
    long long switches = 0;
};

inline Emulator& state() {
    static Emulator e;
    return e;
}

[[noreturn]] inline void fail(const char* what) {
    Emulator& e = state();
    if (e.current) {
        fprintf(stderr, "cuda emulator: %s (kernel %s, block %u,%u,%u, thread %u,%u,%u)\n", what, e.kernel, e.current->block.x,
                e.current->block.y, e.current->block.z, e.current->tid.x, e.current->tid.y, e.current->tid.z);
    } else {
        fprintf(stderr, "cuda emulator: %s (kernel %s)\n", what, e.kernel);
    }
    fflush(stderr);
    abort();
}

/* from a fiber back to the scheduler */
inline void yieldToScheduler(Fiber* f) {
    Emulator& e = state();
    e.switches++;
#if defined(__x86_64__)
    rnn4j_emu_switch(&f->sp, e.scheduler);
#else
    swapcontext(&f->context, &e.scheduler);
#endif
}

/* from the scheduler into a fiber, until it waits or ends */
inline void resume(Fiber* f) {
    Emulator& e = state();
    e.current = f;
    e.switches++;
#if defined(__x86_64__)
    rnn4j_emu_switch(&e.scheduler, f->sp);
#else
    swapcontext(&e.scheduler, &f->context);
#endif
}

inline void wait(int barrier) {
    Fiber* f = state().current;
    f->state = barrier;
    yieldToScheduler(f);
}

inline void syncthreads() { wait(AT_BLOCK_BARRIER); }
inline void syncwarp() { wait(AT_WARP_BARRIER); }
/* a barrier across every thread of a cooperative launch (cooperative_groups' grid.sync()) */
inline void gridSync() { wait(AT_GRID_BARRIER); }

inline int laneId() { return state().current->linear % kWarp; }

/* this block's dynamic shared memory (the launch's shared-bytes argument), filled with 0xFF when the block starts */
inline void* dynamicShared() {
    Emulator& e = state();
    if (e.dynamicBytes == 0) fail("dynamic shared memory used but the launch gave none");
    return e.dynamicShared.data() + e.current->slot * e.dynamicBytes;
}

/*
 * The value of v held by lane 'src' of the caller's warp (src outside the block's threads aborts). Lanes
 * publish in bank (shuffle count % 2) and meet at a warp barrier; a lane can only overwrite that bank two
 * shuffles later, after a barrier every lane reaches only once it has read this one.
 */
template <typename T>
inline T exchange(T v, int src) {
    static_assert(sizeof(T) <= 8, "shuffles move at most 8 bytes");
    Emulator& e = state();
    Fiber* f = e.current;
    int self = (int)(f - e.fibers);
    int lane = f->linear % kWarp;
    int bank = f->shuffles++ & 1;
    uint64_t bits = 0;
    memcpy(&bits, &v, sizeof(T));
    e.slots[bank][self] = bits;
    syncwarp();
    if (f->linear - lane + src >= e.threads) fail("shuffle reads a lane beyond the block's last thread");
    uint64_t got = e.slots[bank][self - lane + src];
    T r;
    memcpy(&r, &got, sizeof(T));
    return r;
}

template <typename T>
inline T shfl_down(T v, unsigned delta, int width) {
    int lane = laneId();
    int src = (lane % width) + (int)delta < width ? lane + (int)delta : lane;
    return exchange(v, src);
}

template <typename T>
inline T shfl_up(T v, unsigned delta, int width) {
    int lane = laneId();
    int src = (lane % width) >= (int)delta ? lane - (int)delta : lane;
    return exchange(v, src);
}

template <typename T>
inline T shfl_xor(T v, int mask, int width) {
    int lane = laneId();
    int src = lane ^ mask;
    if (src / width != lane / width) src = lane;
    return exchange(v, src);
}

template <typename T>
inline T shfl(T v, int srcLane, int width) {
    int lane = laneId();
    return exchange(v, (lane / width) * width + (srcLane % width));
}

inline void fiberEntry() {
    Emulator& e = state();
    e.body(e.bodyArg);
    e.current->state = DONE;
#if defined(__x86_64__)
    yieldToScheduler(e.current); /* never resumed */
    fail("a finished fiber was resumed");
#endif
    /* with ucontext, returning resumes uc_link, the scheduler */
}

/* prepares fiber f to start fiberEntry on the given stack */
inline void prepare(Fiber& f, char* stack) {
#if defined(__x86_64__)
    /* the frame rnn4j_emu_switch pops: MXCSR/x87 word, r15, r14, r13, r12, rbx, rbp, return address; the
       return address slot is 16-byte aligned so that fiberEntry starts with the ABI's stack alignment */
    uintptr_t top = ((uintptr_t)(stack + kStackBytes) & ~(uintptr_t)15) - 16;
    void** frame = reinterpret_cast<void**>(top) - 7;
    uint32_t control[2] = {0x1F80u, 0x037Fu};
    memcpy(&frame[0], control, sizeof control);
    for (int i = 1; i <= 6; ++i) frame[i] = nullptr;
    frame[7] = reinterpret_cast<void*>(&fiberEntry);
    f.sp = frame;
#else
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = stack;
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = &state().scheduler;
    makecontext(&f.context, fiberEntry, 0);
#endif
}

/*
 * Runs the given blocks together, one fiber per thread, round-robin until every thread has returned:
 * warps whose live lanes all wait at __syncwarp/a shuffle go on, then blocks whose live threads all wait at
 * __syncthreads, then, when every live thread waits at the grid barrier, all of them.
 */
inline void runBlocks(const std::vector<dim3>& blocks) {
    Emulator& e = state();
    int tpb = e.threads;
    int n = (int)blocks.size() * tpb;
    if (n > kMaxFibers) fail("too many threads run together for the emulator");
    e.fiberCount = n;
    if (e.dynamicBytes) {
        e.dynamicShared.assign(blocks.size() * e.dynamicBytes, 0xFF);
    }
    for (int i = 0; i < n; ++i) {
        Fiber& f = e.fibers[i];
        if (!e.stacks[i]) {
            e.stacks[i] = static_cast<char*>(malloc(kStackBytes));
            if (!e.stacks[i]) fail("out of host memory for fiber stacks");
        }
        prepare(f, e.stacks[i]);
        int t = i % tpb;
        f.linear = t;
        f.slot = i / tpb;
        f.block = blocks[f.slot];
        f.shuffles = 0;
        f.tid = dim3(t % e.blockSize.x, (t / e.blockSize.x) % e.blockSize.y, t / (e.blockSize.x * e.blockSize.y));
        f.state = RUNNABLE;
    }
    int warpsPerBlock = (tpb + kWarp - 1) / kWarp;
    while (true) {
        for (int i = 0; i < n; ++i) {
            Fiber& f = e.fibers[i];
            if (f.state != RUNNABLE) continue;
            resume(&f);
        }
        e.current = nullptr;
        int done = 0, atGrid = 0;
        for (int i = 0; i < n; ++i) {
            done += e.fibers[i].state == DONE;
            atGrid += e.fibers[i].state == AT_GRID_BARRIER;
        }
        if (done == n) return;
        bool released = false;
        for (size_t b = 0; b < blocks.size(); ++b) {
            int base = (int)b * tpb;
            for (int w = 0; w < warpsPerBlock; ++w) {
                int lo = base + w * kWarp;
                int hi = lo + kWarp < base + tpb ? lo + kWarp : base + tpb;
                int waiting = 0, live = 0;
                for (int i = lo; i < hi; ++i) {
                    int st = e.fibers[i].state;
                    live += st != DONE;
                    waiting += st == AT_WARP_BARRIER;
                }
                if (waiting > 0 && waiting == live) {
                    for (int i = lo; i < hi; ++i) {
                        if (e.fibers[i].state == AT_WARP_BARRIER) e.fibers[i].state = RUNNABLE;
                    }
                    released = true;
                }
            }
        }
        if (released) continue;
        for (size_t b = 0; b < blocks.size(); ++b) {
            int base = (int)b * tpb;
            int waiting = 0, live = 0;
            for (int i = base; i < base + tpb; ++i) {
                int st = e.fibers[i].state;
                live += st != DONE;
                waiting += st == AT_BLOCK_BARRIER;
            }
            if (waiting > 0 && waiting == live) {
                for (int i = base; i < base + tpb; ++i) {
                    if (e.fibers[i].state == AT_BLOCK_BARRIER) e.fibers[i].state = RUNNABLE;
                }
                released = true;
            }
        }
        if (released) continue;
        if (atGrid > 0 && atGrid == n - done) {
            for (int i = 0; i < n; ++i) {
                if (e.fibers[i].state == AT_GRID_BARRIER) e.fibers[i].state = RUNNABLE;
            }
            continue;
        }
        fail("deadlock: threads wait at different barriers (__syncthreads/__syncwarp/shuffle/grid barrier under divergent control flow)");
    }
}

/*
 * Launches body(arg) on a grid, as cuLaunchKernel would (blocks one after another), or, when cooperative,
 * as cuLaunchCooperativeKernel would (all blocks at once, so that a grid barrier can join them); returns
 * after the last block.
 */
inline void launch(const char* kernel, dim3 grid, dim3 block, size_t sharedBytes, bool cooperative, void (*body)(void*), void* arg) {
    Emulator& e = state();
    long long threads = (long long)block.x * block.y * block.z;
    if (threads < 1 || threads > kMaxThreads || block.z > 64) fail("invalid block size");
    if (grid.x < 1 || grid.y < 1 || grid.z < 1 || grid.x > 2147483647u || grid.y > 65535 || grid.z > 65535) fail("invalid grid size");
    e.kernel = kernel;
    e.blockSize = block;
    e.gridSize = grid;
    e.threads = (int)threads;
    e.dynamicBytes = sharedBytes;
    e.body = body;
    e.bodyArg = arg;
    std::vector<dim3> blocks;
    for (unsigned z = 0; z < grid.z; ++z)
        for (unsigned y = 0; y < grid.y; ++y)
            for (unsigned x = 0; x < grid.x; ++x) {
                blocks.push_back(dim3(x, y, z));
                if (!cooperative) {
                    runBlocks(blocks);
                    blocks.clear();
                }
            }
    if (cooperative) {
        if (threads % kWarp != 0) fail("a cooperative launch needs whole warps per block");
        runBlocks(blocks);
    }
}

/* ---- the kernel registry ---- */

struct Kernel {
    void (*invoke)(void* fn, const uint64_t* params);
    void* fn;
    int arity;
};

inline std::map<std::string, Kernel>& registry() {
    static std::map<std::string, Kernel> r;
    return r;
}

/* a parameter from its 8-byte slot: pointers from the address, scalars from the low bytes (little endian) */
template <typename T>
inline T fromSlot(uint64_t s) {
    if constexpr (std::is_pointer_v<T>) {
        return reinterpret_cast<T>(static_cast<uintptr_t>(s));
    } else {
        static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "kernel parameters are scalars or pointers");
        T v;
        memcpy(&v, &s, sizeof(T));
        return v;
    }
}

template <typename... A, size_t... I>
inline void callWith(void (*f)(A...), const uint64_t* p, std::index_sequence<I...>) {
    f(fromSlot<A>(p[I])...);
}

template <typename... A>
inline int register_kernel(const char* name, void (*f)(A...)) {
    Kernel k;
    k.fn = reinterpret_cast<void*>(f);
    k.arity = (int)sizeof...(A);
    k.invoke = [](void* fn, const uint64_t* params) {
        callWith(reinterpret_cast<void (*)(A...)>(fn), params, std::index_sequence_for<A...>{});
    };
    registry()[name] = k;
    return 0;
}

}  // namespace emu

/* ---- CUDA's built-in variables and device functions ---- */

#define threadIdx (emu::state().current->tid)
#define blockIdx (emu::state().current->block)
#define blockDim (emu::state().blockSize)
#define gridDim (emu::state().gridSize)
#define warpSize 32

inline void __syncthreads() { emu::syncthreads(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu::syncwarp(); }
inline void __threadfence() {}
inline void __threadfence_block() {}

template <typename T>
inline T __shfl_down_sync(unsigned, T v, unsigned delta, int width = warpSize) {
    return emu::shfl_down(v, delta, width);
}
template <typename T>
inline T __shfl_up_sync(unsigned, T v, unsigned delta, int width = warpSize) {
    return emu::shfl_up(v, delta, width);
}
template <typename T>
inline T __shfl_xor_sync(unsigned, T v, int mask, int width = warpSize) {
    return emu::shfl_xor(v, mask, width);
}
template <typename T>
inline T __shfl_sync(unsigned, T v, int src, int width = warpSize) {
    return emu::shfl(v, src, width);
}

template <typename T>
inline T atomicAdd(T* address, T value) {
    T old = *address;
    *address = old + value;
    return old;
}

template <typename T>
inline T __ldg(const T* p) {
    return *p;
}

template <typename T>
inline T __ldcg(const T* p) {
    return *p;
}

inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }

#endif
