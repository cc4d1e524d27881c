package org.rnn4j.conformance;

import org.rnn4j.spi.ComputeBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rnn4j.nn.Cells;
import org.rnn4j.tensor.DType;

/**
 * Every golden PyTorch case, bundled or from {@code -Drnn4j.golden.dir=DIR}, as its own test named after
 * the file, in float64 (to 1e-9) and float32 (1e-4 values, 1e-3 gradients). Recurrent cases also run
 * with the composed cell when the backend fuses it.
 */
public abstract class GoldenContract extends BackendContract {

    private Stream<DynamicTest> cases(DType dtype) {
        ComputeBackend b = backendFor(dtype);
        return GoldenCases.bundledNames().stream()
                .map(n -> DynamicTest.dynamicTest(n + " [" + dtype + "]", () -> GoldenRunner.run(GoldenCases.bundled(n), b, dtype)));
    }

    @TestFactory
    Stream<DynamicTest> bundledFloat64() {
        return cases(DType.FLOAT64);
    }

    @TestFactory
    Stream<DynamicTest> bundledFloat32() {
        return cases(DType.FLOAT32);
    }

    /** Recurrent cases through the composed cell (where the backend fuses, this checks the other path too). */
    @TestFactory
    Stream<DynamicTest> bundledRecurrentComposedFloat64() {
        ComputeBackend b = backendFor(DType.FLOAT64);
        return GoldenCases.bundledNames().stream().map(GoldenCases::bundled).filter(c -> c.kind().equals("recurrent"))
                .map(c -> DynamicTest.dynamicTest(c.name() + " [composed]",
                        () -> GoldenRunner.recurrent(c, b, DType.FLOAT64, Cells.composed(GoldenRunner.cellOf(c)))));
    }

    /** The cases of the folder named by {@code -Drnn4j.golden.dir}, each file its own test, in both dtypes. */
    @TestFactory
    Stream<DynamicTest> extraFolder() {
        List<Path> files = GoldenCases.extraFiles();
        if (files.isEmpty()) {
            return Stream.empty();
        }
        ComputeBackend b = backend();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : files) {
            for (DType dtype : DType.values()) {
                if (b.supports(dtype)) {
                    tests.add(DynamicTest.dynamicTest(f.getFileName() + " [" + dtype + "]",
                            () -> GoldenRunner.run(GoldenCase.read(f), b, dtype)));
                }
            }
        }
        return tests.stream();
    }
}
