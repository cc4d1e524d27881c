package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;

/** Resuming a charrnn run continues the same loss curve: N steps + resume N steps == 2N steps in one go. */
class ResumeTest {
    @TempDir
    Path dir;

    @Test
    void resumedRunMatchesAnUninterruptedOne() throws Exception {
        Path text = Cli.shakespeare(dir, 12000);
        Path interrupted = dir.resolve("a/c.safetensors");
        Path straight = dir.resolve("b/c.safetensors");
        String[] opts = {"--threads", "1", "--sample-length", "0"};

        Cli.Result first = Cli.run(Cli.tinyCharRnn(text, interrupted, concat(opts, "--max-steps", "6")));
        assertEquals(0, first.code(), first::toString);
        Cli.Result resumed = Cli.run(Cli.tinyCharRnn(text, interrupted, concat(opts, "--max-steps", "12", "--resume")));
        assertEquals(0, resumed.code(), resumed::toString);
        assertTrue(resumed.out().contains("resumed from"), resumed::toString);
        Cli.Result once = Cli.run(Cli.tinyCharRnn(text, straight, concat(opts, "--max-steps", "12")));
        assertEquals(0, once.code(), once::toString);

        SafeTensorsFile a = SafeTensors.read(interrupted);
        SafeTensorsFile b = SafeTensors.read(straight);
        assertEquals("12", a.metadata().get("fit.step"));
        double[] curveA = a.tensor("fit.step_losses").asDoubles();
        assertEquals(12, curveA.length);
        assertArrayEquals(b.tensor("fit.step_losses").asDoubles(), curveA, "the loss curve of the resumed run is the uninterrupted one");
        // weights, Adam's state, the carried state and the vocabulary too
        assertEquals(b.tensors().keySet(), a.tensors().keySet());
        for (Map.Entry<String, HostTensor> e : b.tensors().entrySet()) {
            assertArrayEquals(e.getValue().asDoubles(), a.tensor(e.getKey()).asDoubles(), e.getKey());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
