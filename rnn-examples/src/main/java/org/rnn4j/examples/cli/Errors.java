package org.rnn4j.examples.cli;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.rnn4j.backend.BackendException;
import org.rnn4j.io.CheckpointMismatchException;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.optim.NonFiniteException;

/** Turns an exception that ends a command into one line on stderr and an exit code. */
public final class Errors {
    /** Exit code of a run that failed for a reason other than bad input (a bug, a numerical blow-up). */
    public static final int INTERNAL = 1;
    /** Exit code of a training run that diverged (NaN or infinite loss or gradient). */
    public static final int DIVERGED = 3;

    private Errors() {
    }

    /** Prints the error (with its stack trace when {@code verbose}) and returns the exit code. */
    public static int report(Throwable ex, boolean verbose, PrintStream err) {
        if (verbose) {
            ex.printStackTrace(err);
        }
        Throwable e = ex instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : ex;
        String message;
        int code = UserError.EXIT_CODE;
        if (e instanceof UserError) {
            message = e.getMessage();
        } else if (e instanceof BackendException) {
            message = CommonOptions.firstLine(e.getMessage()) + "; run 'java -jar rnn4j.jar backends' to see the installed backends";
        } else if (e instanceof CheckpointMismatchException m) {
            message = "checkpoint " + m.file() + " does not fit this model (" + m.problems().size() + " problem"
                    + (m.problems().size() == 1 ? "" : "s") + ", first: " + firstProblem(m)
                    + "); use the model settings it was trained with, or another checkpoint";
        } else if (e instanceof SafeTensorsFormatException f) {
            message = "file " + f.source() + " is not a readable checkpoint (" + CommonOptions.firstLine(f.getMessage())
                    + "); pass a checkpoint written by rnn4j";
        } else if (e instanceof NoSuchFileException f) {
            message = "no such file: " + f.getFile() + "; check the path";
        } else if (e instanceof AccessDeniedException f) {
            message = "permission denied: " + f.getFile() + "; check the file's permissions";
        } else if (e instanceof FileNotFoundException f) {
            message = "cannot open " + CommonOptions.firstLine(f.getMessage()) + "; check the path";
        } else if (e instanceof NonFiniteException) {
            message = "training diverged: " + CommonOptions.firstLine(e.getMessage()) + "; lower --lr or --clip";
            code = DIVERGED;
        } else {
            message = "internal error: " + CommonOptions.firstLine(String.valueOf(e))
                    + (verbose ? "" : "; rerun with --verbose for the stack trace");
            code = INTERNAL;
        }
        err.println("rnn4j: " + CommonOptions.firstLine(message));
        err.flush();
        return code;
    }

    private static String firstProblem(CheckpointMismatchException m) {
        String p = m.problems().isEmpty() ? m.getMessage() : m.problems().get(0);
        String prefix = "checkpoint " + m.file();
        if (p.startsWith(prefix)) {
            p = p.substring(prefix.length()).replaceFirst("^[: ]+", "");
        }
        return CommonOptions.firstLine(p);
    }
}
