package org.rnn4j.examples;

/** Entry point of {@code rnn4j.jar}; with no arguments it runs the main job. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("demo")) {
            Demo.main(new String[0]);
        } else if (args[0].equals("backends")) {
            System.out.print(org.rnn4j.backend.Backends.diagnostics());
        } else {
            System.err.println("rnn4j: unknown command '" + args[0] + "'; expected demo or backends");
            System.exit(2);
        }
    }
}
