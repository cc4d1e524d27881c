package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;

/** SIGTERM (what Ctrl-C also triggers: the shutdown hooks) during training leaves a complete, loadable checkpoint. */
class InterruptTest {
    @TempDir
    Path dir;

    @Test
    void terminatedTrainingLeavesItsCheckpointIntact() throws Exception {
        Path text = Cli.shakespeare(dir, 12000);
        Path ckpt = dir.resolve("c.safetensors");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(Cli.tinyCharRnn(text, ckpt, "--max-steps", "1000000", "--eval-every", "2")));
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).redirectOutput(new File("/dev/null")).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(ckpt) && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(ckpt), "a checkpoint was written before the signal");
            Thread.sleep(300);
            p.destroy(); // SIGTERM: runs the shutdown hooks, as Ctrl-C does
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process exits after the signal");
        } finally {
            p.destroyForcibly();
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertTrue(stderr.contains("interrupted: saved step"), stderr);
        SafeTensorsFile f = SafeTensors.read(ckpt);
        int step = Integer.parseInt(f.metadata().get("fit.step"));
        assertTrue(step >= 2, "step " + step);
        assertTrue(f.tensor("fit.step_losses").size() == step, "the loss history has one entry per step");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(x -> x.getFileName().toString().contains(".tmp-")), "no temporary file left behind");
        }
        // the interrupted run resumes
        Cli.Result r = Cli.run(Cli.tinyCharRnn(text, ckpt, "--resume", "--max-steps", Integer.toString(step + 2), "--sample-length", "0"));
        assertTrue(r.code() == 0 && r.out().contains("resumed from"), r::toString);
    }
}
