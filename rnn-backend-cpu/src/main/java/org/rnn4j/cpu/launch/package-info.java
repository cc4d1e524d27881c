/**
 * <b>For application jars</b> (the {@code main} of {@code rnn4j.jar}, {@code rnn-bench.jar} or your
 * own): {@link org.rnn4j.cpu.launch.VectorLauncher} restarts the JVM with
 * {@code --add-modules jdk.incubator.vector} when it was started without it, so that the {@code cpu}
 * backend's vector kernels run without users typing JVM flags.
 */
package org.rnn4j.cpu.launch;
