package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed kernel image matches the sources: the hash recorded by {@code build-kernels.sh} is the
 * hash of {@code src/main/cuda} now, the binaries are the ones recorded, the PTX has every kernel the host
 * launches, and, where nvcc is installed, recompiling gives the same PTX and {@code ptxas} assembles it.
 */
class KernelImageTest {
    static final Path NVCC = Path.of(System.getProperty("rnn4j.nvcc", "/usr/local/bin/nvcc"));
    static final String STALE = " is stale: run rnn-backend-cuda/build-kernels.sh and commit src/main/resources/org/rnn4j/cuda";

    @Test
    void theCommittedImageWasBuiltFromTheseSources() throws IOException {
        KernelImage image = KernelImage.load();
        assertEquals(KernelImage.sourcesHash(EmulatorBuild.KERNELS), image.sourcesSha256(), "the kernel image" + STALE);
        assertEquals(image.fatbinSha256(), KernelImage.sha256(KernelImage.fatbin()), KernelImage.FATBIN + STALE);
        assertEquals(image.ptxSha256(), KernelImage.sha256(KernelImage.ptx()), KernelImage.PTX + STALE);
        assertEquals(List.of(80, 89, 90), image.sass());
        assertEquals(90, image.ptxArch());
        assertTrue(image.driverMinimum() >= 12000, "driver.minimum " + image.driverMinimum());
    }

    @Test
    void thePtxHasEveryKernelTheHostLaunches() {
        Set<String> entries = entries(new String(KernelImage.ptx(), StandardCharsets.US_ASCII));
        Set<String> missing = new TreeSet<>(Kernels.all(true));
        missing.removeAll(entries);
        assertTrue(missing.isEmpty(), "kernels the host launches but the image lacks: " + missing);
        Set<String> unused = new TreeSet<>(entries);
        unused.removeAll(Kernels.all(true));
        assertTrue(unused.isEmpty(), "kernels in the image the host never launches (add them to Kernels or remove them): " + unused);
    }

    @Test
    void aDeviceRunsTheBestCodeOfTheImage() {
        KernelImage image = KernelImage.load();
        assertEquals("sm_90 SASS", image.codeFor(9, 0));
        assertEquals("sm_80 SASS", image.codeFor(8, 0));
        assertEquals("sm_80 SASS (binary-compatible with 8.6)", image.codeFor(8, 6));
        assertEquals("sm_89 SASS", image.codeFor(8, 9));
        assertEquals("compute_90 PTX, JIT-compiled by the driver for sm_100", image.codeFor(10, 0));
        assertEquals("compute_90 PTX, JIT-compiled by the driver for sm_120", image.codeFor(12, 0));
        assertNull(image.codeFor(7, 5), "Turing is older than every code");
    }

    static Set<String> entries(String ptx) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("\\.visible \\.entry (\\w+)\\(").matcher(ptx);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    @Test
    void nvccRegeneratesTheSamePtxAndPtxasAssemblesIt() throws IOException, InterruptedException {
        if (!Files.isExecutable(NVCC)) {
            System.out.println("[KernelImageTest] skipping the nvcc/ptxas check: no nvcc at " + NVCC + " (-Drnn4j.nvcc=PATH)");
            Assumptions.assumeTrue(false, "no nvcc at " + NVCC);
        }
        Path dir = Files.createTempDirectory("rnn4j-ptx");
        Path ptx = dir.resolve("k.ptx");
        KernelImage image = KernelImage.load();
        // the flags of build-kernels.sh
        run(List.of(NVCC.toString(), "-ptx", "-std=c++17", "-O3", "--restrict", "-Xptxas", "-warn-spills", "-arch=compute_" + image.ptxArch(),
                "-o", ptx.toString(), EmulatorBuild.KERNELS.resolve("rnn4j.cu").toString()));
        String regenerated = Files.readString(ptx);
        String committed = new String(KernelImage.ptx(), StandardCharsets.US_ASCII);
        if (!committed.equals(regenerated)) {
            String[] a = committed.split("\n", -1);
            String[] b = regenerated.split("\n", -1);
            int line = 0;
            while (line < Math.min(a.length, b.length) && a[line].equals(b[line])) {
                line++;
            }
            throw new AssertionError(KernelImage.PTX + STALE + "; first difference at line " + (line + 1) + ": committed '"
                    + (line < a.length ? a[line] : "(end)") + "', nvcc now '" + (line < b.length ? b[line] : "(end)") + "'");
        }
        Path ptxas = NVCC.resolveSibling("ptxas");
        List<String> assembled = new ArrayList<>();
        for (String arch : new String[] {"sm_90", "sm_100"}) {
            run(List.of(ptxas.toString(), "-arch=" + arch, "-o", dir.resolve(arch + ".cubin").toString(), ptx.toString()));
            assertTrue(Files.size(dir.resolve(arch + ".cubin")) > 0, arch);
            assembled.add(arch);
        }
        System.out.println("[KernelImageTest] nvcc " + image.nvccVersion() + " regenerated the committed PTX; ptxas assembled it for " + assembled);
    }
}
