package org.rnn4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void canonicalNamesParseToTheirSizes() {
        assertEquals(List.of("rnn-train-b32-t64-i128-h256", "lstm-train-b32-t64-i128-h256", "gru-train-b32-t64-i128-h256",
                "lstm-train-b64-t100-i512-h1024", "lstm-infer-b1-t256-i128-h256", "lstm-infer-b64-t100-i512-h1024"),
                Workload.CANONICAL.stream().map(Workload::name).toList());
        Workload w = Workload.parse("lstm-train-b64-t100-i512-h1024");
        assertEquals(Workload.CellKind.LSTM, w.cell());
        assertTrue(w.train());
        assertEquals(64, w.batch());
        assertEquals(100, w.steps());
        assertEquals(512, w.input());
        assertEquals(1024, w.hidden());
        assertFalse(Workload.parse("lstm-infer-b1-t256-i128-h256").train());
    }

    @Test
    void flopsFollowTheIssueFormula() {
        Workload lstm = Workload.parse("lstm-train-b32-t64-i128-h256");
        double fwd = 2.0 * 32 * 64 * (128 + 256) * 4 * 256;
        assertEquals(fwd, lstm.forwardFlops());
        assertEquals(3 * fwd, lstm.flopsPerStep());
        Workload rnn = Workload.parse("rnn-infer-b2-t3-i4-h5");
        assertEquals(2.0 * 2 * 3 * 9 * 1 * 5, rnn.flopsPerStep());
        assertEquals(3, Workload.parse("gru-train-b1-t1-i1-h1").gates());
        assertEquals(lstm.flopsPerStep() / 1e9, lstm.gflops(1000), 1e-12);
    }

    @Test
    void listsExpandAllAndRejectUnknownNames() {
        assertEquals(Workload.CANONICAL, Workload.parseList("all"));
        assertEquals(7, Workload.parseList("all, lstm-train-b2-t3-i4-h5, all").size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Workload.parse("lstm-b32"));
        assertTrue(e.getMessage().contains("lstm-train-b32-t64-i128-h256"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Workload.parse("lstm-train-b0-t1-i1-h1"));
        assertThrows(IllegalArgumentException.class, () -> Workload.parseList(" , "));
    }

    @Test
    void firstSequencesArePrefixesWithTheSameWeights() {
        WorkloadData d = WorkloadData.generate(Workload.parse("lstm-train-b4-t3-i2-h5"), 1);
        WorkloadData s = d.firstSequences(2);
        assertEquals(2, s.workload().batch());
        assertEquals(2 * 3 * 2, s.x().length);
        assertEquals(2 * 3 * 5, s.target().length);
        assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOf(d.x(), 12), s.x()));
        assertTrue(d.parameter(WorkloadData.W_HH) == s.parameter(WorkloadData.W_HH));
        assertTrue(d.firstSequences(4) == d);
        assertThrows(IllegalArgumentException.class, () -> d.firstSequences(5));
        assertEquals(32, Check.checkBatch(Workload.parse("lstm-train-b32-t64-i128-h256")));
        assertEquals(4, Check.checkBatch(Workload.parse("lstm-train-b64-t100-i512-h1024")));
    }

    @Test
    void dataIsSeededAndNeverZero() {
        Workload w = Workload.parse("gru-train-b2-t3-i4-h5");
        WorkloadData a = WorkloadData.generate(w, 7);
        WorkloadData b = WorkloadData.generate(w, 7);
        assertEquals(3 * 5 * 4, a.parameter(WorkloadData.W_IH).length);
        assertEquals(3 * 5 * 5, a.parameter(WorkloadData.W_HH).length);
        assertTrue(java.util.Arrays.equals(a.x(), b.x()));
        for (float v : a.x()) {
            assertTrue(v != 0 && Math.abs(v) <= 1);
        }
        double bound = 1 / Math.sqrt(5);
        for (float v : a.parameter(WorkloadData.W_HH)) {
            assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void slowStepsGetFewerIterationsButAtLeastThreeOrTwo() {
        long s = 1_000_000_000L;
        assertEquals(10, LocalTimer.plannedIterations(10, s / 100, 20 * s));
        assertEquals(4, LocalTimer.plannedIterations(10, 5 * s, 20 * s));
        assertEquals(3, LocalTimer.plannedIterations(10, 8 * s, 20 * s));
        assertEquals(2, LocalTimer.plannedIterations(10, 60 * s, 20 * s));
        assertEquals(1, LocalTimer.plannedIterations(1, 60 * s, 20 * s));
    }
}
