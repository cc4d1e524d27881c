package org.rnn4j.examples;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.rnn4j.backend.Backends;
import org.rnn4j.cpu.launch.VectorLauncher;
import org.rnn4j.examples.charrnn.CharRnnCommand;
import org.rnn4j.examples.cli.Errors;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.customcell.CustomCellCommand;
import org.rnn4j.examples.forecast.ForecastCommand;
import org.rnn4j.examples.names.NamesCommand;
import org.rnn4j.examples.speech.SpeechCommand;
import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.spi.KernelKind;
import org.rnn4j.examples.translate.TranslateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Entry point of {@code rnn4j.jar}. With no arguments it runs the main job: a short char-RNN on
 * tiny-shakespeare that ends by printing generated text.
 */
@Command(name = "rnn4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        subcommands = {CharRnnCommand.class, NamesCommand.class, ForecastCommand.class, SpeechCommand.class, TranslateCommand.class, CustomCellCommand.class,
            Main.BackendsCommand.class, Main.DemoCommand.class, CommandLine.HelpCommand.class},
        description = {"Recurrent neural networks in Java: runnable examples.", "",
            "With no command, runs the main job: a short char-RNN on tiny-shakespeare (about 2 minutes), ending with generated text."})
public final class Main implements Callable<Integer> {
    static {
        // the applications' model types: any command can then load (and name) any application's model file
        org.rnn4j.examples.charrnn.CharModel.register();
        org.rnn4j.examples.names.NamesModel.register();
    }

    /** The arguments of the main job, run when the jar is started without any. */
    static final String[] MAIN_JOB = {"charrnn", "--minutes", "2.2", "--hidden", "128", "--lr", "4e-3", "--eval-every", "50",
        "--eval-chars", "10000", "--checkpoint", "rnn4j-output/main-job.safetensors", "--sample-length", "300"};

    @Override
    public Integer call() {
        return 0; // unreachable: main() substitutes the main job for an empty command line
    }

    /** Restarts the JVM with the vector API when it lacks it ({@link VectorLauncher}), then runs {@link #run}. */
    public static void main(String[] args) {
        VectorLauncher.relaunchIfNeeded(Main.class, args);
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (0 success, 2 bad input, 1 internal error, 3 diverged, 130 interrupted). */
    public static int run(String... args) {
        System.setProperty("java.awt.headless", "true");
        String[] effective = args.length == 0 ? MAIN_JOB : args;
        if (args.length == 0) {
            System.err.println("rnn4j: running the main job: java -jar rnn4j.jar " + String.join(" ", MAIN_JOB)
                    + "   (--help lists the commands)");
        }
        boolean verbose = Arrays.asList(effective).contains("--verbose") || Arrays.asList(effective).contains("-v");
        CommandLine cl = new CommandLine(new Main());
        cl.setOverwrittenOptionsAllowed(true); // the last of a repeated option wins (main-job defaults can be overridden)
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> Errors.report(ex, verbose, System.err));
        cl.setParameterExceptionHandler((ex, args1) -> {
            CommandLine c = ex.getCommandLine();
            String path = c.getCommandSpec().qualifiedName();
            System.err.println("rnn4j: " + firstLine(ex.getMessage()) + "; see 'java -jar rnn4j.jar " + path.replaceFirst("^rnn4j ?", "")
                    + (path.equals("rnn4j") ? "" : " ") + "--help'");
            if (verbose) {
                ex.printStackTrace(System.err);
            }
            return UserError.EXIT_CODE;
        });
        cl.setOut(new PrintWriter(System.out, true));
        cl.setErr(new PrintWriter(System.err, true));
        try {
            return cl.execute(effective);
        } finally {
            System.out.flush();
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid arguments";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    /** {@code backends}: the diagnostics listing of every backend. */
    @Command(name = "backends", mixinStandardHelpOptions = true,
            description = "Lists every installed backend: name, priority, version, jar, and whether it is available (and why not).")
    static final class BackendsCommand implements Callable<Integer> {
        @picocli.CommandLine.Option(names = "--no-capabilities", description = "Skip starting each available backend to list what it supports.")
        boolean noCapabilities;

        @Override
        public Integer call() {
            System.out.print(Backends.diagnostics());
            if (!noCapabilities) {
                System.out.println("capabilities (each available backend started with default options):");
                for (var e : Backends.providers().entrySet()) {
                    if (!e.getValue().availability().available()) {
                        continue;
                    }
                    try {
                        org.rnn4j.tensor.Backend b = Backends.get(e.getKey());
                        java.util.List<String> fused = new java.util.ArrayList<>();
                        for (KernelKind k : ComputeBackend.of(b).fusedKinds()) {
                            fused.add(k.id());
                        }
                        System.out.printf(java.util.Locale.ROOT, "  %-6s float32 %-3s  float64 %-3s  fused kernels: %s%n", b.name(),
                                b.supports(org.rnn4j.tensor.DType.FLOAT32) ? "yes" : "no", b.supports(org.rnn4j.tensor.DType.FLOAT64) ? "yes" : "no",
                                fused.isEmpty() ? "none (cells run on the composed primitives)" : String.join(", ", fused));
                    } catch (RuntimeException ex) {
                        System.out.printf(java.util.Locale.ROOT, "  %-6s failed to start: %s%n", e.getKey(), ex.getMessage());
                    }
                }
            }
            return 0;
        }
    }

    /** {@code demo}: the toy classic char RNN (kept from the seed). */
    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "The toy demo: the classic i2h/i2o char RNN learns which of four letters occurs most often in random words.")
    static final class DemoCommand implements Callable<Integer> {
        @Mixin
        org.rnn4j.examples.cli.CommonOptions common;

        @Override
        public Integer call() {
            Demo.run(common.backend(), common.seed);
            return 0;
        }
    }

    /** The version shown by {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"rnn4j " + (v == null ? "0.1.0-SNAPSHOT" : v) + ", java " + System.getProperty("java.version")};
        }
    }
}
