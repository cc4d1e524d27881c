/*
 * The emulated device: rnn4j's kernels (src/main/cuda/rnn4j.cu, compiled for the host under cuda_emu.h)
 * behind a small binary protocol on stdin/stdout, driven by org.rnn4j.cuda.EmulatedDevice in the tests in
 * place of the CUDA driver. All integers little-endian.
 *
 * Like work on a CUDA stream, the enqueued requests (FREE, UPLOAD, COPY, MEMSET, LAUNCH) get no reply: the
 * first error among them is kept (later enqueued requests are then skipped, as in a faulted context) and
 * reported by the next request that replies, which is how a GPU reports a kernel fault at the next
 * synchronisation. Replies start with a status byte: 0 success, 1 an error followed by u16 len and the message.
 *
 * Device memory is an arena reserved at start-up (ARENA tells where); the driver side places allocations in
 * it itself, so that allocating needs no round trip, and announces each one with ALLOC, giving the address
 * of its first byte; it must leave 64 guard bytes free before and after every allocation.
 *
 * Requests (first byte):                                   reply after the status byte
 *   1 ALLOC    u64 address, u64 bytes                      (none)
 *   2 FREE     u64 address                                 (none)
 *   3 UPLOAD   u64 dst, u64 n, n bytes                     (none)
 *   4 DOWNLOAD u64 src, u64 n                              n bytes
 *   5 COPY     u64 dst, u64 src, u64 n                     (none)
 *   6 MEMSET   u64 dst, u8 value, u64 n                    (none)
 *   7 LAUNCH   u16 len, name, u32 grid xyz, u32 block xyz, u32 shared bytes, u16 count, count u64 parameter slots  (none)
 *  13 LAUNCH_COOPERATIVE  as LAUNCH, all blocks run together (a grid barrier joins them)           (none)
 *   8 KERNELS                                              u32 count, then count times u16 len, name
 *   9 STATS                                                u64 live allocations, u64 live bytes, u64 launches, u64 fiber switches
 *  10 QUIT
 *  11 SYNC
 *  12 ARENA                                                u64 base address, u64 size in bytes, u64 guard bytes
 *
 * Device memory is checked like a debugging allocator would: every allocation is surrounded by guard
 * bytes, verified after every launch for the allocations its parameters point into (a kernel writing out of
 * bounds is reported with its name) and on free; fresh memory is filled with 0xFF (NaN for floats, so reads
 * of unwritten memory show); copies must lie inside one live allocation.
 */
#include "cuda_emu.h"
#include "rnn4j.cu"

#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <map>

namespace {

constexpr size_t kGuard = 64;
constexpr unsigned char kGuardByte = 0xA5;

struct Allocation {
    unsigned char* base; /* first guard byte */
    uint64_t bytes;
};

unsigned char* g_arena = nullptr;
uint64_t g_arenaBytes = 0;

std::map<uint64_t, Allocation> g_live;
std::string g_pending; /* the first error of an enqueued request, reported by the next reply */
uint64_t g_liveBytes = 0;
uint64_t g_launches = 0;

bool readFully(void* p, size_t n) {
    return fread(p, 1, n, stdin) == n;
}

template <typename T>
T read() {
    T v;
    if (!readFully(&v, sizeof(T))) exit(0); /* the driver went away */
    return v;
}

template <typename T>
void write(T v) {
    fwrite(&v, sizeof(T), 1, stdout);
}

void ok() {
    write<uint8_t>(0);
}

/* an enqueued request failed: keep the first error for the next reply */
void defer(const std::string& message) {
    if (g_pending.empty()) g_pending = message;
}

void error(const std::string& message) {
    write<uint8_t>(1);
    write<uint16_t>((uint16_t)message.size());
    fwrite(message.data(), 1, message.size(), stdout);
}

std::string hex(uint64_t v) {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
    return buf;
}

/* the allocation containing [address, address + n), or null */
const Allocation* find(uint64_t address, uint64_t n) {
    auto it = g_live.upper_bound(address);
    if (it == g_live.begin()) return nullptr;
    --it;
    uint64_t start = it->first;
    if (address >= start && address + n <= start + it->second.bytes) return &it->second;
    return nullptr;
}

bool guardsIntact(const Allocation& a) {
    for (size_t i = 0; i < kGuard; ++i) {
        if (a.base[i] != kGuardByte || a.base[kGuard + a.bytes + i] != kGuardByte) return false;
    }
    return true;
}

/* checks the guards of every allocation a kernel parameter points into (a kernel reaches memory through them) */
std::string checkGuards(const std::vector<uint64_t>& params, const char* after) {
    for (uint64_t v : params) {
        auto it = g_live.upper_bound(v);
        if (it == g_live.begin()) continue;
        --it;
        if (v < it->first || v > it->first + it->second.bytes) continue;
        if (!guardsIntact(it->second)) {
            return std::string("out-of-bounds write detected after ") + after + ": the guard bytes around the allocation at " +
                   hex(it->first) + " (" + std::to_string(it->second.bytes) + " bytes) were overwritten";
        }
    }
    return "";
}

/* answers a replying request with the pending error, if any; true when it did */
bool reportPending() {
    if (g_pending.empty()) return false;
    error(g_pending + " (reported at the next synchronising request)");
    g_pending.clear();
    return true;
}

/* per-kernel launches and CPU time, written to $RNN4J_EMU_PROFILE at exit when set */
struct Profile {
    long long launches = 0;
    long long nanos = 0;
    long long threads = 0;
    long long switches = 0;
};
std::map<std::string, Profile> g_profile;
const char* g_profilePath = nullptr;

long long cpuNanos() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void writeProfile() {
    if (!g_profilePath) return;
    FILE* f = fopen(g_profilePath, "w");
    if (!f) return;
    std::vector<std::pair<std::string, Profile>> rows(g_profile.begin(), g_profile.end());
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second.nanos > b.second.nanos; });
    fprintf(f, "%-28s %10s %12s %14s %14s\n", "kernel", "launches", "cpu ms", "threads", "switches");
    for (auto& [name, p] : rows) {
        fprintf(f, "%-28s %10lld %12.1f %14lld %14lld\n", name.c_str(), p.launches, p.nanos / 1e6, p.threads, p.switches);
    }
    fclose(f);
}

struct LaunchArgs {
    const emu::Kernel* kernel;
    const uint64_t* params;
};

void body(void* p) {
    auto* a = static_cast<LaunchArgs*>(p);
    a->kernel->invoke(a->kernel->fn, a->params);
}

}  // namespace

int main() {
    g_profilePath = getenv("RNN4J_EMU_PROFILE");
    const char* arena = getenv("RNN4J_EMU_ARENA_MIB");
    g_arenaBytes = (uint64_t)(arena ? atoll(arena) : 4096) << 20;
    void* m = mmap(nullptr, g_arenaBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        fprintf(stderr, "cuda emulator: cannot reserve an arena of %llu bytes\n", (unsigned long long)g_arenaBytes);
        return 3;
    }
    g_arena = static_cast<unsigned char*>(m);
    atexit(writeProfile);
    static char outBuffer[1 << 16];
    setvbuf(stdout, outBuffer, _IOFBF, sizeof outBuffer);
    std::vector<unsigned char> buffer;
    while (true) {
        uint8_t op = read<uint8_t>();
        switch (op) {
            case 1: {
                uint64_t address = read<uint64_t>();
                uint64_t bytes = read<uint64_t>();
                if (!g_pending.empty()) break;
                uint64_t lo = (uint64_t)(uintptr_t)g_arena;
                if (address < lo + kGuard || address + bytes + kGuard > lo + g_arenaBytes) {
                    defer("allocation of " + std::to_string(bytes) + " bytes at " + hex(address) + " is outside the arena (with its guards)");
                    break;
                }
                auto next = g_live.lower_bound(address);
                bool overlaps = next != g_live.end() && next->first < address + bytes + 2 * kGuard;
                if (next != g_live.begin()) {
                    auto prev = std::prev(next);
                    overlaps |= prev->first + prev->second.bytes + 2 * kGuard > address;
                }
                if (overlaps) {
                    defer("allocation of " + std::to_string(bytes) + " bytes at " + hex(address) + " overlaps a live allocation or its guards");
                    break;
                }
                auto* base = (unsigned char*)(uintptr_t)address - kGuard;
                memset(base, kGuardByte, kGuard);
                memset(base + kGuard, 0xFF, bytes);
                memset(base + kGuard + bytes, kGuardByte, kGuard);
                g_live[address] = Allocation{base, bytes};
                g_liveBytes += bytes;
                break;
            }
            case 2: {
                uint64_t address = read<uint64_t>();
                if (!g_pending.empty()) break;
                auto it = g_live.find(address);
                if (it == g_live.end()) {
                    defer("free of " + hex(address) + ", which is not a live allocation");
                    break;
                }
                if (!guardsIntact(it->second)) {
                    defer("free of " + hex(address) + ": its guard bytes were overwritten (an out-of-bounds write)");
                    break;
                }
                g_liveBytes -= it->second.bytes;
                g_live.erase(it);
                break;
            }
            case 3: {
                uint64_t dst = read<uint64_t>();
                uint64_t n = read<uint64_t>();
                buffer.resize(n);
                if (n && !readFully(buffer.data(), n)) return 0;
                if (!g_pending.empty()) break;
                if (!find(dst, n)) {
                    defer("upload of " + std::to_string(n) + " bytes to " + hex(dst) + " outside any live allocation");
                    break;
                }
                memcpy((void*)(uintptr_t)dst, buffer.data(), n);
                break;
            }
            case 4: {
                uint64_t src = read<uint64_t>();
                uint64_t n = read<uint64_t>();
                if (reportPending()) break;
                if (!find(src, n)) {
                    error("download of " + std::to_string(n) + " bytes from " + hex(src) + " outside any live allocation");
                    break;
                }
                ok();
                fwrite((const void*)(uintptr_t)src, 1, n, stdout);
                break;
            }
            case 5: {
                uint64_t dst = read<uint64_t>();
                uint64_t src = read<uint64_t>();
                uint64_t n = read<uint64_t>();
                if (!g_pending.empty()) break;
                if (!find(dst, n) || !find(src, n)) {
                    defer("copy of " + std::to_string(n) + " bytes from " + hex(src) + " to " + hex(dst) + " outside live allocations");
                    break;
                }
                memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, n);
                break;
            }
            case 6: {
                uint64_t dst = read<uint64_t>();
                uint8_t value = read<uint8_t>();
                uint64_t n = read<uint64_t>();
                if (!g_pending.empty()) break;
                if (!find(dst, n)) {
                    defer("memset of " + std::to_string(n) + " bytes at " + hex(dst) + " outside any live allocation");
                    break;
                }
                memset((void*)(uintptr_t)dst, value, n);
                break;
            }
            case 7:
            case 13: {
                bool cooperative = op == 13;
                uint16_t len = read<uint16_t>();
                std::string name(len, '\0');
                if (len && !readFully(&name[0], len)) return 0;
                uint32_t g[3], b[3];
                for (auto& v : g) v = read<uint32_t>();
                for (auto& v : b) v = read<uint32_t>();
                uint32_t shared = read<uint32_t>();
                uint16_t count = read<uint16_t>();
                std::vector<uint64_t> params(count);
                for (auto& p : params) p = read<uint64_t>();
                if (!g_pending.empty()) break;
                auto it = emu::registry().find(name);
                if (it == emu::registry().end()) {
                    defer("launch of '" + name + "': no kernel of that name");
                    break;
                }
                if (it->second.arity != count) {
                    defer("launch of '" + name + "': it takes " + std::to_string(it->second.arity) + " parameters, got " + std::to_string(count));
                    break;
                }
                if (shared > (228u << 10)) {
                    defer("launch of '" + name + "' with " + std::to_string(shared) + " bytes of dynamic shared memory, more than a GPU block has");
                    break;
                }
                LaunchArgs args{&it->second, params.data()};
                long long t0 = g_profilePath ? cpuNanos() : 0;
                long long s0 = emu::state().switches;
                emu::launch(it->first.c_str(), dim3(g[0], g[1], g[2]), dim3(b[0], b[1], b[2]), shared, cooperative, body, &args);
                g_launches++;
                if (g_profilePath) {
                    Profile& p = g_profile[name];
                    p.launches++;
                    p.nanos += cpuNanos() - t0;
                    p.threads += (long long)g[0] * g[1] * g[2] * b[0] * b[1] * b[2];
                    p.switches += emu::state().switches - s0;
                }
                std::string bad = checkGuards(params, ("kernel " + name).c_str());
                if (!bad.empty()) defer(bad);
                break;
            }
            case 8: {
                ok();
                write<uint32_t>((uint32_t)emu::registry().size());
                for (auto& [name, k] : emu::registry()) {
                    write<uint16_t>((uint16_t)name.size());
                    fwrite(name.data(), 1, name.size(), stdout);
                }
                break;
            }
            case 9: {
                if (reportPending()) break;
                ok();
                write<uint64_t>(g_live.size());
                write<uint64_t>(g_liveBytes);
                write<uint64_t>(g_launches);
                write<uint64_t>((uint64_t)emu::state().switches);
                break;
            }
            case 10:
                ok();
                fflush(stdout);
                return 0;
            case 11:
                if (!reportPending()) ok();
                break;
            case 12:
                ok();
                write<uint64_t>((uint64_t)(uintptr_t)g_arena);
                write<uint64_t>(g_arenaBytes);
                write<uint64_t>(kGuard);
                break;
            default:
                fprintf(stderr, "cuda emulator: unknown request %u\n", op);
                return 2;
        }
        if (op == 4 || op == 8 || op == 9 || op == 11 || op == 12) fflush(stdout);
    }
}
