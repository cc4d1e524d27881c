"""rnn4j's PyTorch peer: runs rnn-bench workloads in PyTorch, driven by rnn-bench over stdin/stdout.

Protocol: one JSON object per line. On start it prints {"ready": true, ...versions...} or {"error": ...}.
Commands (each answered by one line, {"error": ...} on failure):
  {"cmd": "setup", "workload": {...}, "file": PATH}  load weights, x and target from a safetensors file
  {"cmd": "check", "out": PATH, "grad_batch": N}     write the forward output (and, for training, the
                                                      gradients of the MSE loss of the first N sequences)
                                                      to a safetensors file
  {"cmd": "time", "warmup": W, "warmup_s": WS, "iterations": N, "budget_s": S, "estimate_s": E}
                                                      -> {"ms": [...], "warmup": W', "peak_bytes": B}
  {"cmd": "quit"}
Needs only torch and numpy (safetensors files are read and written here, not with the safetensors package).

Device: the GPU (cuDNN's RNN kernels) when torch.cuda.is_available(), else the CPU; RNN4J_TORCH_DEVICE=cpu or
=cuda forces one. On the GPU, TF32 is off (as in rnn4j's cuda backend by default) unless RNN4J_TORCH_TF32=1,
every timed step ends with torch.cuda.synchronize(), and peak_bytes is torch's peak of allocated device memory.
"""
import gc
import json
import os
import struct
import sys
import time
import traceback


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except Exception as e:  # reported to rnn-bench, which says why torch is skipped
    emit({"error": "import failed: %s: %s" % (type(e).__name__, e)})
    sys.exit(0)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError("%s: shorter than a safetensors header" % path)
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError("%s: header length %d exceeds the file" % (path, n))
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise ValueError("%s: tensor %s has dtype %s, expected F32" % (path, name, e["dtype"]))
        start, end = e["data_offsets"]
        count = 1
        for s in e["shape"]:
            count *= s
        if end - start != 4 * count or base + end > len(data):
            raise ValueError("%s: tensor %s has bad offsets %s" % (path, name, e["data_offsets"]))
        arr = np.frombuffer(data, dtype="<f4", count=count, offset=base + start).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def write_safetensors(path, tensors):
    header = {}
    blobs = []
    off = 0
    for name, t in tensors.items():
        a = np.ascontiguousarray(t.detach().cpu().numpy(), dtype="<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def proc_status_kb(key):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux >= 4.0); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def blas_libraries():
    """The BLAS/LAPACK libraries mapped into this process (after a matmul has run)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6:
                    p = parts[5]
                    base = os.path.basename(p).lower()
                    if any(k in base for k in ("blas", "mkl", "blis", "lapack", "dnnl")):
                        libs.add(os.path.realpath(p))
    except OSError:
        pass
    return sorted(libs)


def pick_device():
    want = os.environ.get("RNN4J_TORCH_DEVICE", "auto").strip().lower()
    if want == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if want == "cuda":
        raise RuntimeError("RNN4J_TORCH_DEVICE=cuda but torch.cuda.is_available() is False")
    return torch.device("cpu")


try:
    DEVICE = pick_device()
except Exception as e:  # reported to rnn-bench like an import failure
    emit({"error": "%s: %s" % (type(e).__name__, e)})
    sys.exit(0)
TF32 = DEVICE.type == "cuda" and os.environ.get("RNN4J_TORCH_TF32", "0") == "1"
if DEVICE.type == "cuda":
    torch.backends.cudnn.enabled = True
    torch.backends.cuda.matmul.allow_tf32 = TF32
    torch.backends.cudnn.allow_tf32 = TF32


def sync():
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


class Bench:
    def __init__(self):
        self.model = None

    def setup(self, wl, path):
        # the row's memory is measured from here, as rnn-bench does for the implementations in its JVM
        self.model = self.x = self.target = self.opt = None
        gc.collect()
        self.rss0 = proc_status_kb("VmRSS")
        self.peak_reset = reset_peak_rss()
        if DEVICE.type == "cuda":
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        t = read_safetensors(path)
        cell, i, h = wl["cell"], wl["input"], wl["hidden"]
        if cell == "rnn":
            m = torch.nn.RNN(i, h, nonlinearity="tanh", batch_first=True)
        elif cell == "lstm":
            m = torch.nn.LSTM(i, h, batch_first=True)
        elif cell == "gru":
            m = torch.nn.GRU(i, h, batch_first=True)
        else:
            raise ValueError("unknown cell " + cell)
        with torch.no_grad():
            for name, p in m.named_parameters():
                if tuple(p.shape) != tuple(t[name].shape):
                    raise ValueError("parameter %s: file has %s, model %s" % (name, list(t[name].shape), list(p.shape)))
                p.copy_(t[name])
        self.model = m.to(DEVICE)
        self.train = bool(wl["train"])
        self.x = t["x"].contiguous().to(DEVICE)
        self.target = t["target"].contiguous().to(DEVICE)
        self.opt = torch.optim.SGD(m.parameters(), lr=wl["lr"])
        self.sink = 0.0
        return {"ok": True}

    def check(self, out_path, grad_batch):
        """Forward output on the whole input; for training, gradients of the MSE loss of the first grad_batch sequences."""
        m = self.model
        with torch.no_grad():
            out, _ = m(self.x)
        tensors = {"output": out}
        if not self.train:
            write_safetensors(out_path, tensors)
            return {"ok": True}
        m.zero_grad(set_to_none=True)
        sub, _ = m(self.x[:grad_batch])
        loss = F.mse_loss(sub, self.target[:grad_batch])
        loss.backward()
        for name, p in m.named_parameters():
            tensors["grad." + name] = p.grad
        write_safetensors(out_path, tensors)
        m.zero_grad(set_to_none=True)
        return {"ok": True}

    def step(self):
        if self.train:
            self.opt.zero_grad(set_to_none=True)
            out, _ = self.model(self.x)
            loss = F.mse_loss(out, self.target)
            loss.backward()
            self.opt.step()
            self.sink += loss.item()
        else:
            with torch.no_grad():
                out, _ = self.model(self.x)
                self.sink += out.sum().item()
        sync()

    def time(self, warmup, iterations, budget_s, estimate_s, warmup_s=0.0):
        """The same loop as rnn-bench's LocalTimer: warmup (warmup steps, then more until warmup_s seconds, at most a
        third of the budget), then timed steps."""
        budget = budget_s
        t_warm = time.perf_counter()
        last = estimate_s
        done = 0
        while done < warmup or (warmup > 0 and time.perf_counter() - t_warm < warmup_s):
            t0 = time.perf_counter()
            self.step()
            last = time.perf_counter() - t0
            done += 1
            if time.perf_counter() - t_warm > budget / 3:
                break
        n = iterations
        if last > 0 and last * iterations > budget:
            fit = max(1, int(budget / last))
            least = 2 if last > budget / 2 else 3
            n = max(min(least, iterations), min(iterations, fit))
        ms = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.step()
            ms.append((time.perf_counter() - t0) * 1e3)
        if DEVICE.type == "cuda":
            return {"ms": ms, "warmup": done, "peak_bytes": int(torch.cuda.max_memory_allocated()), "peak_reset": True}
        hwm = proc_status_kb("VmHWM") if self.peak_reset else None
        if hwm is None:
            import resource
            hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, whole process life
        peak = max(0, hwm - (self.rss0 or 0)) * 1024
        return {"ms": ms, "warmup": done, "peak_bytes": peak, "peak_reset": self.peak_reset}


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if threads > 0:
        torch.set_num_threads(threads)
    emit({
        "ready": True,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "threads": torch.get_num_threads(),
        "mkldnn": bool(torch.backends.mkldnn.is_available()),
        "blas": blas_libraries(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "device": str(DEVICE),
        "gpu": torch.cuda.get_device_name() if DEVICE.type == "cuda" else None,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if DEVICE.type == "cuda" else None,
        "tf32": TF32,
    })
    bench = Bench()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            cmd = json.loads(line)
            c = cmd["cmd"]
            if c == "quit":
                emit({"ok": True})
                return
            elif c == "setup":
                emit(bench.setup(cmd["workload"], cmd["file"]))
            elif c == "check":
                emit(bench.check(cmd["out"], int(cmd["grad_batch"])))
            elif c == "time":
                emit(bench.time(int(cmd["warmup"]), int(cmd["iterations"]), float(cmd["budget_s"]), float(cmd.get("estimate_s", 0)),
                                float(cmd.get("warmup_s", 0))))
            else:
                emit({"error": "unknown command " + c})
        except Exception as e:
            emit({"error": "%s: %s" % (type(e).__name__, e), "trace": traceback.format_exc()})


if __name__ == "__main__":
    main()
