package org.rnn4j.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the emulated device ({@code src/test/native/emu_server.cpp} with the kernels of
 * {@code src/main/cuda}) with g++ into {@code target/cuda-emu/}, once per content of the sources. Tests that
 * need it skip, printing the reason, where g++ is missing; a compile error fails them.
 */
final class EmulatorBuild {
    static final Path KERNELS = Path.of("src/main/cuda");
    static final Path NATIVE = Path.of("src/test/native");
    static final Path OUT = Path.of("target/cuda-emu");
    /** The compiler, overridable with -Drnn4j.cuda.emu.cxx. */
    static final String CXX = System.getProperty("rnn4j.cuda.emu.cxx", "g++");

    private static Path built;
    private static String missing;
    private static boolean probed;

    private EmulatorBuild() {
    }

    /** Why the emulator cannot be built here (no g++), or null when it can. */
    static synchronized String unavailableReason() {
        if (!probed) {
            probed = true;
            try {
                Process p = new ProcessBuilder(CXX, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    missing = CXX + " --version failed (exit " + p.exitValue() + ")";
                }
            } catch (IOException e) {
                missing = "the C++ compiler '" + CXX + "' is not on the PATH (" + e.getMessage() + "); the kernel emulator needs it";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                missing = "interrupted while looking for " + CXX;
            }
            if (missing == null && !Files.isDirectory(KERNELS)) {
                missing = "the kernel sources " + KERNELS.toAbsolutePath() + " are not here (tests must run in the module folder)";
            }
        }
        return missing;
    }

    /**
     * The emulator executable, compiled now unless one built from the same sources exists.
     *
     * @throws IllegalStateException with the compiler's output when compilation fails
     */
    static synchronized Path binary() {
        if (built != null) {
            return built;
        }
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException("cannot build the CUDA emulator: " + why);
        }
        try {
            String hash = KernelImage.sourcesHash(KERNELS).substring(0, 12) + "-" + KernelImage.sourcesHash(NATIVE).substring(0, 12);
            Path exe = OUT.resolve("rnn4j-cuda-emu-" + hash).toAbsolutePath();
            if (!Files.isExecutable(exe)) {
                Files.createDirectories(OUT);
                Path tmp = Files.createTempFile(OUT, "build-", ".tmp");
                List<String> cmd = new ArrayList<>(List.of(CXX, "-std=c++17", "-O2", "-g", "-ffp-contract=off", "-Wall", "-Wextra", "-Wno-unknown-pragmas",
                        "-Wno-unused-parameter", "-Wno-unused-function", "-Wno-unused-variable", "-I" + KERNELS.toAbsolutePath(),
                        "-I" + NATIVE.toAbsolutePath(), "-o", tmp.toString(), NATIVE.resolve("emu_server.cpp").toAbsolutePath().toString()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    Files.deleteIfExists(tmp);
                    throw new IllegalStateException("compiling the CUDA emulator failed: " + String.join(" ", cmd) + "\n" + output);
                }
                if (!output.isBlank()) {
                    System.out.println("[cuda emulator] compiler warnings:\n" + output);
                }
                Files.move(tmp, exe, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            built = exe;
            return exe;
        } catch (IOException e) {
            throw new IllegalStateException("building the CUDA emulator failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the CUDA emulator", e);
        }
    }
}
