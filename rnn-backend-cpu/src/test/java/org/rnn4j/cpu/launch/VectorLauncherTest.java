package org.rnn4j.cpu.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorLauncher}: a JVM started without the module restarts itself with it, passing on JVM
 * options, arguments and the exit status; with the module, or when switched off, it runs in place.
 * Each case starts one or two JVMs (a few seconds).
 */
class VectorLauncherTest {

    /** The application the test runs: prints whether it has the module, its arguments and a property, exits with its first argument. */
    public static final class Probe {
        public static void main(String[] args) {
            VectorLauncher.relaunchIfNeeded(Probe.class, args);
            System.out.println("module=" + ModuleLayer.boot().findModule(VectorLauncher.MODULE).isPresent() + " args=" + String.join("|", args)
                    + " prop=" + System.getProperty("probe.prop") + " relaunched=" + Boolean.getBoolean(VectorLauncher.RELAUNCHED));
            System.exit(Integer.parseInt(args[0]));
        }
    }

    private static String[] run(List<String> jvmOptions, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Probe.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("RNN4J_RELAUNCH");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish: " + out);
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void aJvmWithoutTheModuleRunsTheApplicationAgainWithIt() throws Exception {
        String[] r = run(List.of("-Dprobe.prop=kept", "-Xmx256m"), "7", "two words", "--x");
        assertEquals("7", r[0], r[1]);
        assertTrue(r[1].contains("module=true args=7|two words|--x prop=kept relaunched=true"), r[1]);
        assertEquals(1, r[1].split("module=", -1).length - 1, "the application ran more than once: " + r[1]);
    }

    @Test
    void itRunsInPlaceWhenTheModuleIsThereOrRestartingIsOff() throws Exception {
        String[] with = run(List.of("--add-modules", VectorLauncher.MODULE), "3");
        assertEquals("3", with[0], with[1]);
        assertTrue(with[1].contains("module=true args=3 prop=null relaunched=false"), with[1]);
        String[] off = run(List.of("-Drnn4j.relaunch=false"), "4");
        assertEquals("4", off[0], off[1]);
        assertTrue(off[1].contains("module=false args=4 prop=null relaunched=false"), off[1]);
        String[] scalar = run(List.of("-Drnn4j.cpu.vector=false"), "5");
        assertTrue(scalar[1].contains("module=false args=5"), scalar[1]);
    }

    @Test
    void theChildsCommandKeepsOptionsClassPathAndArguments() {
        List<String> cmd = VectorLauncher.command("a.B", new String[] {"x", "y z"});
        int m = cmd.indexOf("--add-modules");
        assertTrue(m > 0 && cmd.get(m + 1).equals(VectorLauncher.MODULE), cmd.toString());
        assertEquals(List.of("a.B", "x", "y z"), cmd.subList(cmd.size() - 3, cmd.size()));
        assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.size() - 4));
        assertTrue(cmd.contains("-D" + VectorLauncher.RELAUNCHED + "=true"), cmd.toString());
    }
}
