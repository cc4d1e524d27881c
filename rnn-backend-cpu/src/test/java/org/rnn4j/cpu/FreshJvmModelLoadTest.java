package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Dropout;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.LogSoftmax;
import org.rnn4j.nn.Sequential;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * A model saved here is rebuilt by {@link Models#load} in a fresh JVM that runs only
 * {@link LoadAndRun} (no code that built it) and gives bit-identical outputs.
 */
class FreshJvmModelLoadTest {

    /** The child JVM: loads the file with Models.load alone and prints the outputs for fixed inputs. */
    public static final class LoadAndRun {
        public static void main(String[] args) throws Exception {
            Backend b = Backends.get("cpu");
            Sequential model = Models.load(Path.of(args[0]), b).model(Sequential.class);
            System.out.println(format(outputs(model, b)));
        }
    }

    static float[] outputs(Sequential model, Backend b) {
        float[] x = new float[2 * 5 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        try (Grad.Scope off = Grad.disabled()) {
            model.eval();
            return model.forward(Var.constant(b.fromFloats(x, DType.FLOAT32, 10, 3))).value().toFloatArray();
        }
    }

    static String format(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (float f : v) {
            sb.append(Float.floatToIntBits(f)).append(' ');
        }
        return sb.toString().trim();
    }

    @Test
    void aSavedModelLoadsInAFreshJvmWithIdenticalOutputs(@TempDir Path dir) throws Exception {
        Backend b = Backends.get("cpu");
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        Sequential model = new Sequential(new Linear(3, 6, true, b, DType.FLOAT32, rng), new Dropout(0.2, 3),
                new Linear(6, 4, true, b, DType.FLOAT32, rng), new LogSoftmax());
        Path file = dir.resolve("model.safetensors");
        Models.save(file, model);
        String expected = format(outputs(model, b));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LoadAndRun.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> !l.startsWith("SLF4J")).toList();
        assertEquals(expected, lines.get(lines.size() - 1));
    }
}
