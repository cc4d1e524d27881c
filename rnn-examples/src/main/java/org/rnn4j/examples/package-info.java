/**
 * <b>For readers of the examples.</b> The runnable applications of {@code rnn4j.jar} (picocli subcommands) and the main job.
 */
package org.rnn4j.examples;
