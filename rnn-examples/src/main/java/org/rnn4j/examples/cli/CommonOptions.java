package org.rnn4j.examples.cli;

import org.rnn4j.train.Progress;
import org.rnn4j.tensor.Backend;
import org.rnn4j.backend.BackendException;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.backend.Backends;
import picocli.CommandLine.Option;

/** Options every subcommand takes: backend, seed, threads, verbosity. Mixed into each command. */
public final class CommonOptions {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to run on (default: -Drnn4j.backend, else $RNN4J_BACKEND, else the available backend "
                    + "of highest priority). 'backends' lists them.")
    public String backend;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the weight initialisation, data split, shuffling and sampling (default: ${DEFAULT-VALUE}).")
    public long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Compute threads of the backend; 0 = the backend's default (all cores).")
    public int threads;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces of errors and more detail while running.")
    public boolean verbose;

    @Option(names = "--plain-progress", hidden = true,
            description = "Print progress as plain lines even on a terminal.")
    public boolean plainProgress;

    /** The most {@code --threads} accepted: 8 per core, and at least 256. */
    public static int maxThreads() {
        return Math.max(256, 8 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * The backend asked for, started with {@code --threads}; an empty name, a thread count outside
     * 0..{@link #maxThreads()} and unknown names become a one-line {@link UserError}.
     */
    public Backend backend() {
        if (threads < 0) {
            throw new UserError("--threads " + threads + " is negative; pass 0 (the backend's default) or a positive count");
        }
        if (threads > maxThreads()) {
            throw new UserError("--threads " + threads + " is more than the " + maxThreads() + " allowed (the larger of 256 and 8 per"
                    + " core; this machine has " + Runtime.getRuntime().availableProcessors() + " cores); pass 0 for the backend's default"
                    + " (all cores) or a count up to " + maxThreads());
        }
        if (backend != null && backend.isBlank()) {
            throw new UserError("--backend '" + backend + "' names no backend; pass a name such as cpu (run 'java -jar rnn4j.jar backends'"
                    + " to list them), or leave --backend out for the default");
        }
        try {
            return Backends.get(backend, new BackendOptions(threads));
        } catch (BackendException e) {
            throw new UserError(firstLine(e.getMessage()) + "; pass --backend with one of the installed backends "
                    + "(run 'java -jar rnn4j.jar backends' to see which are available and why)", e);
        }
    }

    /** Throws unless {@code minutes} (a {@code --minutes} budget) is a finite number >= 0. */
    public static void checkMinutes(double minutes) {
        if (!(minutes >= 0 && Double.isFinite(minutes))) {
            throw new UserError("--minutes " + minutes + " is not a time budget; pass a finite number of minutes >= 0 (0 = no limit),"
                    + " e.g. --minutes 5");
        }
    }

    /** A progress reporter on stderr, a bar on a terminal and plain lines otherwise. */
    public Progress progress(String task) {
        return new Progress(System.err, System.out, task, !plainProgress && System.console() != null);
    }

    public static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
