package org.rnn4j.cpu.launch;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Restarts an application's JVM with the vector API module when it was started without it.
 *
 * <p>The {@code cpu} backend's matrix products run on {@code jdk.incubator.vector} when the JVM has
 * that module, and in plain loops (several times slower) otherwise. An incubator module cannot be
 * enabled from a jar's manifest ({@code Add-Opens} and {@code Launcher-Agent-Class} do not reach it),
 * so a jar's {@code main} calls {@link #relaunchIfNeeded} first: when the module is missing but the JDK
 * has it, the call runs the same main class with the same JVM options, class path and arguments in a
 * child JVM started with {@code --add-modules jdk.incubator.vector}, sharing this process's standard
 * input, output and error, and exits with the child's status (Ctrl-C reaches both; a signal to this
 * process is passed on). The restart costs one more JVM start-up (measured on 2 cores: see the
 * README's "Vector kernels" section). Otherwise the call returns at once and the application runs here.
 *
 * <p>It returns without restarting when: the module is already present; the JDK has no such module;
 * {@code -Drnn4j.cpu.vector=false} switched the vector kernels off; {@code -Drnn4j.relaunch=false} or the
 * environment variable {@code RNN4J_RELAUNCH=false} asks it not to; this JVM is itself a restarted one
 * ({@code -Drnn4j.relaunched=true}); a debugger agent is attached (the child would compete for its port);
 * or the child cannot be started (a line on standard error says why).
 */
public final class VectorLauncher {
    /** The module the cpu backend's vector kernels need. */
    public static final String MODULE = "jdk.incubator.vector";
    /** Set on the child JVM, so that it never restarts itself. */
    static final String RELAUNCHED = "rnn4j.relaunched";

    private VectorLauncher() {
    }

    /**
     * Call first in {@code main}: returns when this JVM should run the application, else runs
     * {@code mainClass.main(args)} in a child JVM with the module and exits with its status.
     *
     * @param mainClass the class whose {@code main} is running (and will run in the child)
     * @param args      its arguments, passed on unchanged
     */
    public static void relaunchIfNeeded(Class<?> mainClass, String[] args) {
        if (whyNot() != null) {
            return;
        }
        List<String> command = command(mainClass.getName(), args);
        Process child;
        try {
            child = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException | RuntimeException e) {
            System.err.println("rnn4j: could not restart the JVM with --add-modules " + MODULE + " (" + e.getMessage()
                    + "); running here with the cpu backend's plain loops");
            return;
        }
        Thread passOn = new Thread(() -> {
            // this JVM is shutting down (Ctrl-C, kill): pass the signal on and wait for the child to finish saving
            child.destroy();
            try {
                child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "rnn4j-relaunch");
        Runtime.getRuntime().addShutdownHook(passOn);
        int status;
        try {
            status = child.waitFor();
        } catch (InterruptedException e) {
            child.destroy();
            status = 130;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(passOn);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs and waits for the child
        }
        System.exit(status);
    }

    /** Why this JVM runs the application itself, or null when it should restart with the module. */
    static String whyNot() {
        if (ModuleLayer.boot().findModule(MODULE).isPresent()) {
            return "the module is present";
        }
        if (ModuleFinder.ofSystem().find(MODULE).isEmpty()) {
            return "this JDK has no " + MODULE;
        }
        if ("false".equalsIgnoreCase(System.getProperty("rnn4j.cpu.vector", "").trim())) {
            return "-Drnn4j.cpu.vector=false";
        }
        if ("false".equalsIgnoreCase(System.getProperty("rnn4j.relaunch", "").trim())
                || "false".equalsIgnoreCase(String.valueOf(System.getenv("RNN4J_RELAUNCH")).trim())) {
            return "restarting is switched off";
        }
        if (Boolean.getBoolean(RELAUNCHED)) {
            return "this JVM is a restarted one";
        }
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            String a = arg.toLowerCase(Locale.ROOT);
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-xrunjdwp")) {
                return "a debugger agent is attached";
            }
        }
        if (System.getProperty("java.class.path", "").isEmpty()) {
            return "no class path to pass on";
        }
        return null;
    }

    /** The child's command line: this JVM's executable and options, the module, the class path, main class and arguments. */
    static List<String> command(String mainClass, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("--add-modules");
        cmd.add(MODULE);
        cmd.add("-D" + RELAUNCHED + "=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }
}
