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

    /** The backend asked for, started with {@code --threads}; bad names become a one-line {@link UserError}. */
    public Backend backend() {
        if (threads < 0) {
            throw new UserError("--threads " + threads + " is negative; pass 0 (the backend's default) or a positive count");
        }
        try {
            return Backends.get(backend, new BackendOptions(threads));
        } catch (BackendException e) {
            throw new UserError(firstLine(e.getMessage()) + "; pass --backend with one of the installed backends "
                    + "(run 'java -jar rnn4j.jar backends' to see which are available and why)", e);
        }
    }

    /** A progress reporter on stderr, a bar on a terminal and plain lines otherwise. */
    public Progress progress(String task) {
        return new Progress(System.err, System.out, task, !plainProgress && System.console() != null);
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
