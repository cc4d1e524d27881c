package org.rnn4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.tensor.DType;

class GoldenCasesTest {

    @Test
    void indexListsEveryBundledCase() throws IOException {
        List<String> onDisk;
        try (Stream<Path> s = Files.list(Path.of("src/main/resources/golden"))) {
            onDisk = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors"))
                    .map(n -> n.replace(".safetensors", "")).sorted().toList();
        }
        assertEquals(onDisk, GoldenCases.bundledNames().stream().sorted().toList());
        assertEquals(24, onDisk.size());
        for (String n : onDisk) {
            assertTrue(List.of("recurrent", "loss", "optimizer", "clip_grad_norm").contains(GoldenCases.bundled(n).kind()), n);
        }
    }

    @Test
    void aCaseOfAnUnknownKindFailsRatherThanSkips(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("weird.safetensors");
        SafeTensors.write(f, Map.of("x", HostTensor.ofDoubles(new double[] {1}, 1)), Map.of("kind", "transformer"));
        GoldenCase c = GoldenCase.read(f);
        AssertionError e = assertThrows(AssertionError.class, () -> GoldenRunner.run(c, null, DType.FLOAT64));
        assertTrue(e.getMessage().contains("unknown kind 'transformer'"), e.getMessage());
    }

    @Test
    void extraFolderMustExistAndHoldCases(@TempDir Path dir) {
        String old = System.getProperty(GoldenCases.EXTRA_DIR_PROPERTY);
        try {
            System.setProperty(GoldenCases.EXTRA_DIR_PROPERTY, dir.resolve("missing").toString());
            assertThrows(IllegalArgumentException.class, GoldenCases::extraFiles);
            System.setProperty(GoldenCases.EXTRA_DIR_PROPERTY, dir.toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, GoldenCases::extraFiles);
            assertTrue(e.getMessage().contains("holds no *.safetensors case"), e.getMessage());
            System.setProperty(GoldenCases.EXTRA_DIR_PROPERTY, "");
            assertEquals(List.of(), GoldenCases.extraFiles());
        } finally {
            if (old == null) {
                System.clearProperty(GoldenCases.EXTRA_DIR_PROPERTY);
            } else {
                System.setProperty(GoldenCases.EXTRA_DIR_PROPERTY, old);
            }
        }
    }
}
