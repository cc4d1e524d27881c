package org.rnn4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The compiled kernels shipped in this jar ({@code build-kernels.sh} writes them): a fat binary with SASS
 * for a few architectures and PTX for newer ones, and the properties recording what it was built from.
 * Also decides which of its codes a device runs, which the diagnostics report.
 */
final class KernelImage {
    static final String FATBIN = "rnn4j_kernels.fatbin";
    static final String PTX = "rnn4j_kernels.ptx";
    static final String PROPERTIES = "rnn4j_kernels.properties";

    private final Properties properties;

    private KernelImage(Properties properties) {
        this.properties = properties;
    }

    /**
     * The image's description from the class path.
     *
     * @throws UncheckedIOException when the resource is missing or unreadable
     */
    static KernelImage load() {
        Properties p = new Properties();
        try (InputStream in = KernelImage.class.getResourceAsStream(PROPERTIES)) {
            if (in == null) {
                throw new IOException("resource org/rnn4j/cuda/" + PROPERTIES + " is missing from the class path");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CUDA kernels' description: " + e.getMessage(), e);
        }
        return new KernelImage(p);
    }

    /** The fat binary's bytes, as {@code cuModuleLoadData} takes them. */
    static byte[] fatbin() {
        return resource(FATBIN);
    }

    /** The PTX text of the image (the code newer GPUs JIT-compile), as bytes. */
    static byte[] ptx() {
        return resource(PTX);
    }

    private static byte[] resource(String name) {
        try (InputStream in = KernelImage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource org/rnn4j/cuda/" + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CUDA kernels: " + e.getMessage(), e);
        }
    }

    private String get(String key) {
        String v = properties.getProperty(key);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException(PROPERTIES + " has no '" + key + "'; rebuild it with build-kernels.sh");
        }
        return v.trim();
    }

    /** The hash of {@code src/main/cuda} the image was built from (see {@link #sourcesHash(Path)}). */
    String sourcesSha256() {
        return get("sources.sha256");
    }

    String fatbinSha256() {
        return get("fatbin.sha256");
    }

    String ptxSha256() {
        return get("ptx.sha256");
    }

    /** The nvcc that built the image, e.g. {@code 13.0.88}. */
    String nvccVersion() {
        return get("nvcc.version");
    }

    /** The CUDA release of that nvcc, e.g. {@code 13.0}. */
    String cudaRelease() {
        return get("cuda.release");
    }

    /** The lowest driver API version ({@code cuDriverGetVersion}, e.g. 13000 for CUDA 13.0) that loads this code. */
    int driverMinimum() {
        return Integer.parseInt(get("driver.minimum"));
    }

    /** The SASS architectures, as compute capabilities {major * 10 + minor}, e.g. {80, 89, 90}. */
    List<Integer> sass() {
        List<Integer> out = new ArrayList<>();
        for (String s : get("sass").split(",")) {
            out.add(Integer.parseInt(s.trim().substring("sm_".length())));
        }
        return out;
    }

    /** The PTX's virtual architecture as {major * 10 + minor}, e.g. 90. */
    int ptxArch() {
        return Integer.parseInt(get("ptx").substring("compute_".length()));
    }

    /** One line: the nvcc release and the codes. */
    String describe() {
        return FATBIN + " (nvcc " + nvccVersion() + "; SASS " + get("sass").replace(",", ", ") + "; PTX " + get("ptx") + ")";
    }

    /**
     * Which code a device of compute capability {@code major.minor} runs: the SASS of the same major
     * version and the highest minor not above the device's (binary compatible), else the PTX when the
     * device is at least its architecture (compiled by the driver at load), else null (the GPU is older
     * than every code in the image).
     */
    String codeFor(int major, int minor) {
        int cc = major * 10 + minor;
        int best = -1;
        for (int s : sass()) {
            if (s / 10 == major && s % 10 <= minor && s > best) {
                best = s;
            }
        }
        if (best >= 0) {
            return "sm_" + best + " SASS" + (best == cc ? "" : " (binary-compatible with " + major + "." + minor + ")");
        }
        if (cc >= ptxArch()) {
            return "compute_" + ptxArch() + " PTX, JIT-compiled by the driver for sm_" + cc;
        }
        return null;
    }

    /**
     * The hash of a kernel source folder as {@code build-kernels.sh} computes it: SHA-256 over, for each
     * regular file directly in {@code dir} in byte order of the names, the name, a newline, the size in
     * bytes, a newline and the contents.
     */
    static String sourcesHash(Path dir) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted((a, b) -> compareBytes(a.getFileName().toString(), b.getFileName().toString())).toList();
        }
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            sha.update((f.getFileName() + "\n" + content.length + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(content);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** SHA-256 of {@code bytes} in hex. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
