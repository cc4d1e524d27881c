/*
 * The emulated device: rnn4j's kernels (src/main/cuda/rnn4j.cu, compiled for the host under cuda_emu.h)
 * behind a small binary protocol on stdin/stdout, driven by org.rnn4j.cuda.EmulatedDevice in the tests in
 * place of the CUDA driver. One request, one reply; all integers little-endian.
 *
 * Requests (first byte):                                   reply after the status byte
 *   1 ALLOC    u64 bytes                                   u64 address
 *   2 FREE     u64 address
 *   3 UPLOAD   u64 dst, u64 n, n bytes
 *   4 DOWNLOAD u64 src, u64 n                              n bytes
 *   5 COPY     u64 dst, u64 src, u64 n
 *   6 MEMSET   u64 dst, u8 value, u64 n
 *   7 LAUNCH   u16 len, name, u32 grid xyz, u32 block xyz, u32 shared bytes, u16 count, count u64 parameter slots
 *   8 KERNELS                                              u32 count, then count times u16 len, name
 *   9 STATS                                                u64 live allocations, u64 live bytes, u64 launches, u64 fiber switches
 *  10 QUIT
 * Status 0 is success; 1 is an error followed by u16 len and the message.
 *
 * Device memory is checked like a debugging allocator would: every allocation is surrounded by guard
 * bytes that are verified after every launch and on free (a kernel writing out of bounds is reported with
 * its name), fresh memory is filled with 0xFF (NaN for floats, so reads of unwritten memory show), and
 * copies must lie inside one live allocation.
 */
#include "cuda_emu.h"
#include "rnn4j.cu"

#include <map>

namespace {

constexpr size_t kGuard = 64;
constexpr unsigned char kGuardByte = 0xA5;

struct Allocation {
    unsigned char* base;
    uint64_t bytes;
};

std::map<uint64_t, Allocation> g_live;
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

std::string checkAllGuards(const char* after) {
    for (auto& [address, a] : g_live) {
        if (!guardsIntact(a)) {
            return std::string("out-of-bounds write detected after ") + after + ": the guard bytes around the allocation at " +
                   hex(address) + " (" + std::to_string(a.bytes) + " bytes) were overwritten";
        }
    }
    return "";
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
    static char outBuffer[1 << 16];
    setvbuf(stdout, outBuffer, _IOFBF, sizeof outBuffer);
    std::vector<unsigned char> buffer;
    while (true) {
        uint8_t op = read<uint8_t>();
        switch (op) {
            case 1: {
                uint64_t bytes = read<uint64_t>();
                auto* base = static_cast<unsigned char*>(malloc(bytes + 2 * kGuard));
                if (!base) {
                    error("out of memory allocating " + std::to_string(bytes) + " bytes");
                    break;
                }
                memset(base, kGuardByte, kGuard);
                memset(base + kGuard, 0xFF, bytes);
                memset(base + kGuard + bytes, kGuardByte, kGuard);
                uint64_t address = (uint64_t)(uintptr_t)(base + kGuard);
                g_live[address] = Allocation{base, bytes};
                g_liveBytes += bytes;
                ok();
                write<uint64_t>(address);
                break;
            }
            case 2: {
                uint64_t address = read<uint64_t>();
                auto it = g_live.find(address);
                if (it == g_live.end()) {
                    error("free of " + hex(address) + ", which is not a live allocation");
                    break;
                }
                if (!guardsIntact(it->second)) {
                    error("free of " + hex(address) + ": its guard bytes were overwritten (an out-of-bounds write)");
                    break;
                }
                g_liveBytes -= it->second.bytes;
                free(it->second.base);
                g_live.erase(it);
                ok();
                break;
            }
            case 3: {
                uint64_t dst = read<uint64_t>();
                uint64_t n = read<uint64_t>();
                buffer.resize(n);
                if (n && !readFully(buffer.data(), n)) return 0;
                if (!find(dst, n)) {
                    error("upload of " + std::to_string(n) + " bytes to " + hex(dst) + " outside any live allocation");
                    break;
                }
                memcpy((void*)(uintptr_t)dst, buffer.data(), n);
                ok();
                break;
            }
            case 4: {
                uint64_t src = read<uint64_t>();
                uint64_t n = read<uint64_t>();
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
                if (!find(dst, n) || !find(src, n)) {
                    error("copy of " + std::to_string(n) + " bytes from " + hex(src) + " to " + hex(dst) + " outside live allocations");
                    break;
                }
                memmove((void*)(uintptr_t)dst, (const void*)(uintptr_t)src, n);
                ok();
                break;
            }
            case 6: {
                uint64_t dst = read<uint64_t>();
                uint8_t value = read<uint8_t>();
                uint64_t n = read<uint64_t>();
                if (!find(dst, n)) {
                    error("memset of " + std::to_string(n) + " bytes at " + hex(dst) + " outside any live allocation");
                    break;
                }
                memset((void*)(uintptr_t)dst, value, n);
                ok();
                break;
            }
            case 7: {
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
                auto it = emu::registry().find(name);
                if (it == emu::registry().end()) {
                    error("no kernel named '" + name + "'");
                    break;
                }
                if (it->second.arity != count) {
                    error("kernel '" + name + "' takes " + std::to_string(it->second.arity) + " parameters, got " + std::to_string(count));
                    break;
                }
                if (shared != 0) {
                    error("kernel '" + name + "' launched with dynamic shared memory, which these kernels do not use");
                    break;
                }
                LaunchArgs args{&it->second, params.data()};
                emu::launch(it->first.c_str(), dim3(g[0], g[1], g[2]), dim3(b[0], b[1], b[2]), body, &args);
                g_launches++;
                std::string bad = checkAllGuards(("kernel " + name).c_str());
                if (!bad.empty()) {
                    error(bad);
                    break;
                }
                ok();
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
            default:
                fprintf(stderr, "cuda emulator: unknown request %u\n", op);
                return 2;
        }
        fflush(stdout);
    }
}
