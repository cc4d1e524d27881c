package org.rnn4j.examples.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/** Small building blocks the examples share; candidates for rnn-api. */
public final class Layers {
    private Layers() {
    }

    /**
     * Inverted dropout as PyTorch's {@code nn.Dropout}: in training, each element is zeroed with
     * probability {@code p} and the rest are scaled by {@code 1/(1-p)}; otherwise {@code x} unchanged.
     */
    public static Var dropout(Var x, double p, boolean training, SplittableRandom rng) {
        if (!training || p <= 0) {
            return x;
        }
        double keep = 1 - p;
        int n = x.value().size();
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextDouble() < keep ? 1 / keep : 0;
        }
        return F.mul(x, Var.constant(x.backend().fromDoubles(m, x.dtype(), x.shape())));
    }

    /**
     * The last layer's final hidden state of a {@link Recurrent} run, {@code [B, D*H]}: for a
     * bidirectional layer the forward direction's state after the last valid step concatenated with the
     * backward direction's state after step 0, as PyTorch's {@code torch.cat([h_n[-2], h_n[-1]], 1)}.
     */
    public static Var lastHidden(Recurrent rnn, Recurrent.Output out) {
        Var h = out.finalState().get(0);
        Var[] per = F.unbind(h, 0);
        int d = rnn.directions();
        int base = (rnn.numLayers() - 1) * d;
        return d == 1 ? per[base] : F.concat(1, per[base], per[base + 1]);
    }

    /** A snapshot of the parameters' current values: copies, since optimizers update the parameters in place. */
    public static Map<String, Tensor> snapshot(Module m) {
        Map<String, Tensor> s = new LinkedHashMap<>();
        m.parameters().forEach((k, v) -> s.put(k, Tensors.copy(v.value())));
        return s;
    }

    /** Puts back a {@link #snapshot}. */
    public static void restore(Module m, Map<String, Tensor> snapshot) {
        m.parameters().forEach((k, v) -> v.set(snapshot.get(k)));
    }

    /** Row-wise argmax and the top-k of a {@code [N, C]} host matrix. */
    public static int[] topK(double[] row, int k) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < row.length; i++) {
            idx.add(i);
        }
        idx.sort((a, b) -> Double.compare(row[b], row[a]));
        int[] out = new int[Math.min(k, row.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx.get(i);
        }
        return out;
    }
}
