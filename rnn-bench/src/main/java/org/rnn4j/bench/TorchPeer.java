package org.rnn4j.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;

/**
 * The PyTorch peer: a Python process running {@code torch_bench.py} (shipped in this jar), driven
 * over stdin/stdout one JSON line at a time. Weights, input and targets go to it in a safetensors file
 * written by {@link WorkloadData#writeSafetensors}; its outputs and gradients come back in another.
 *
 * <p>The process inherits this JVM's environment, so {@code OPENBLAS_CORETYPE} (and
 * {@code OMP_NUM_THREADS}, set from {@code --threads}) are the same for it as for ND4J here.
 */
final class TorchPeer implements AutoCloseable {
    /** The interpreters tried, in order, when {@code --python} is not given. */
    static final List<String> DEFAULT_PYTHONS = List.of("/usr/bin/python3", "python3");
    private static final Gson GSON = new Gson();
    private static final long START_TIMEOUT_S = 120;

    private final Process process;
    private final BufferedReader out;
    private final BufferedWriter in;
    private final StringBuilder stderr = new StringBuilder();
    private final Path dir;
    private final JsonObject info;
    private final String python;

    private TorchPeer(String python, Process p, Path dir) throws IOException {
        this.python = python;
        this.process = p;
        this.dir = dir;
        this.out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        this.in = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
        Thread drain = new Thread(() -> drain(p.getErrorStream()), "torch-stderr");
        drain.setDaemon(true);
        drain.start();
        JsonObject first;
        try {
            first = readLine(START_TIMEOUT_S);
        } catch (IOException e) {
            p.destroyForcibly();
            throw e;
        }
        if (first.has("error")) {
            p.destroyForcibly();
            throw new IOException(first.get("error").getAsString());
        }
        this.info = first;
    }

    /** A started peer, or the reasons why none of the interpreters could run torch. */
    record Probe(TorchPeer peer, String whyNot) {
    }

    /**
     * Starts the script under {@code python} (or, when null, the first of {@link #DEFAULT_PYTHONS} that
     * imports torch) with {@code threads} torch threads (0 = torch's default).
     */
    static Probe start(String python, int threads) {
        List<String> candidates = python != null && !python.isBlank() ? List.of(python) : DEFAULT_PYTHONS;
        List<String> reasons = new ArrayList<>();
        Path dir;
        Path script;
        try {
            dir = Files.createTempDirectory("rnn-bench-torch");
            script = dir.resolve("torch_bench.py");
            try (InputStream s = TorchPeer.class.getResourceAsStream("torch_bench.py")) {
                if (s == null) {
                    return new Probe(null, "torch_bench.py is missing from the jar");
                }
                Files.copy(s, script);
            }
        } catch (IOException e) {
            return new Probe(null, "cannot write the torch script to a temporary folder: " + e);
        }
        for (String py : candidates) {
            if (py.contains("/") && !Files.isExecutable(Path.of(py))) {
                reasons.add(py + ": not found or not executable");
                continue;
            }
            ProcessBuilder pb = new ProcessBuilder(py, "-u", script.toString(), Integer.toString(threads));
            if (threads > 0) {
                pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            }
            try {
                Process p = pb.start();
                return new Probe(new TorchPeer(py, p, dir), null);
            } catch (IOException e) {
                reasons.add(py + ": " + e.getMessage());
            }
            // try the next interpreter
        }
        deleteTree(dir);
        return new Probe(null, String.join("; ", reasons));
    }

    private void drain(InputStream err) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(err, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (stderr) {
                    stderr.append(line).append('\n');
                    if (stderr.length() > 20_000) {
                        stderr.delete(0, stderr.length() - 10_000);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private String stderrTail() {
        synchronized (stderr) {
            String s = stderr.toString().strip();
            return s.isEmpty() ? "" : " (stderr: " + (s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s) + ")";
        }
    }

    /** Reads one JSON line; the timeout only guards against a child that hangs without output. */
    private JsonObject readLine(long timeoutS) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        while (!out.ready()) {
            if (!process.isAlive()) {
                // the process may still have written a last line before exiting
                if (out.ready()) {
                    break;
                }
                throw new IOException(python + " exited with status " + process.exitValue() + stderrTail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(python + " gave no answer within " + timeoutS + " s" + stderrTail());
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        String line = out.readLine();
        if (line == null) {
            throw new IOException(python + " closed its output" + stderrTail());
        }
        try {
            return GSON.fromJson(line, JsonObject.class);
        } catch (RuntimeException e) {
            throw new IOException("unexpected output from " + python + ": " + line + stderrTail());
        }
    }

    private JsonObject call(JsonObject cmd, long timeoutS) throws IOException {
        in.write(GSON.toJson(cmd));
        in.write('\n');
        in.flush();
        JsonObject r = readLine(timeoutS);
        if (r.has("error")) {
            throw new IOException("torch: " + r.get("error").getAsString());
        }
        return r;
    }

    /** Versions, threads and BLAS of the Python side, for the environment header. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("torch ").append(str("torch")).append(" (").append(python).append(", Python ").append(str("python"))
                .append(", numpy ").append(str("numpy")).append("), ").append(str("threads")).append(" threads, mkldnn ")
                .append(str("mkldnn"));
        JsonElement blas = info.get("blas");
        if (blas != null && blas.isJsonArray() && !((JsonArray) blas).isEmpty()) {
            List<String> libs = new ArrayList<>();
            blas.getAsJsonArray().forEach(e -> libs.add(e.getAsString()));
            sb.append(", BLAS ").append(String.join(", ", libs));
        }
        JsonElement core = info.get("openblas_coretype");
        sb.append(", OPENBLAS_CORETYPE=").append(core == null || core.isJsonNull() ? "(unset)" : core.getAsString());
        JsonElement device = info.get("device");
        if (device != null && !device.isJsonNull() && device.getAsString().startsWith("cuda")) {
            sb.append("; runs on ").append(str("gpu")).append(" (CUDA ").append(str("cuda")).append(", cuDNN ").append(str("cudnn"))
                    .append(", TF32 ").append(str("tf32")).append("; RNN4J_TORCH_DEVICE=cpu keeps it on the CPU)");
        } else if (device != null && !device.isJsonNull()) {
            sb.append("; runs on the CPU");
        }
        return sb.toString();
    }

    private String str(String key) {
        JsonElement e = info.get(key);
        return e == null || e.isJsonNull() ? "?" : e.getAsString();
    }

    /** Sets up {@code d}'s workload in the Python process. */
    Impl open(WorkloadData d) throws IOException {
        Workload w = d.workload();
        Path file = dir.resolve("workload.safetensors");
        d.writeSafetensors(file);
        JsonObject wl = new JsonObject();
        wl.addProperty("cell", w.cell().token());
        wl.addProperty("train", w.train());
        wl.addProperty("batch", w.batch());
        wl.addProperty("steps", w.steps());
        wl.addProperty("input", w.input());
        wl.addProperty("hidden", w.hidden());
        wl.addProperty("lr", WorkloadData.LR);
        JsonObject cmd = new JsonObject();
        cmd.addProperty("cmd", "setup");
        cmd.add("workload", wl);
        cmd.addProperty("file", file.toString());
        try {
            call(cmd, 600);
        } finally {
            Files.deleteIfExists(file);
        }
        return new TorchImpl(w);
    }

    private final class TorchImpl implements Impl {
        private final Workload w;

        TorchImpl(Workload w) {
            this.w = w;
        }

        @Override
        public String name() {
            return "torch";
        }

        @Override
        public Outputs outputs(int gradBatch) throws IOException {
            Path file = dir.resolve("check.safetensors");
            JsonObject cmd = new JsonObject();
            cmd.addProperty("cmd", "check");
            cmd.addProperty("grad_batch", gradBatch);
            cmd.addProperty("out", file.toString());
            call(cmd, 600);
            try {
                SafeTensorsFile f = SafeTensors.read(file);
                Map<String, HostTensor> t = f.tensors();
                Map<String, float[]> grads = new LinkedHashMap<>();
                for (Map.Entry<String, HostTensor> e : t.entrySet()) {
                    if (e.getKey().startsWith("grad.")) {
                        grads.put(e.getKey().substring(5), e.getValue().asFloats());
                    }
                }
                HostTensor output = t.get("output");
                if (output == null) {
                    throw new IOException("torch's check file has no 'output'");
                }
                return new Outputs(output.asFloats(), grads);
            } finally {
                Files.deleteIfExists(file);
            }
        }

        @Override
        public Timing time(int warmup, double warmupSeconds, int iterations, double budgetSeconds, double estimateSeconds) throws IOException {
            JsonObject cmd = new JsonObject();
            cmd.addProperty("cmd", "time");
            cmd.addProperty("estimate_s", estimateSeconds);
            cmd.addProperty("warmup", warmup);
            cmd.addProperty("warmup_s", warmupSeconds);
            cmd.addProperty("iterations", iterations);
            cmd.addProperty("budget_s", budgetSeconds);
            // a generous guard: the budget, plus warmup and the minimum iterations of a slow step
            JsonObject r = call(cmd, (long) (budgetSeconds * 10 + estimateSeconds * 4) + 600);
            JsonArray a = r.getAsJsonArray("ms");
            double[] ms = new double[a.size()];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = a.get(i).getAsDouble();
            }
            return new Timing(ms, r.get("warmup").getAsInt(), r.get("peak_bytes").getAsLong(), -1);
        }

        @Override
        public String note() {
            return "torch.nn." + switch (w.cell()) {
                case RNN -> "RNN";
                case LSTM -> "LSTM";
                case GRU -> "GRU";
            } + "(batch_first=True) + F.mse_loss + torch.optim.SGD, inference under torch.no_grad()";
        }

        @Override
        public void close() {
            // the model is replaced by the next setup
        }
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                in.write("{\"cmd\": \"quit\"}\n");
                in.flush();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroy();
                }
            }
        } catch (IOException | InterruptedException e) {
            process.destroy();
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
