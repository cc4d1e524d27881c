package org.rnn4j.nn;

import java.util.Map;
import java.util.SplittableRandom;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;

/**
 * The classic character-level RNN of PyTorch's "classifying names" tutorial: at each step the input
 * and the hidden state are concatenated, {@code i2h} maps them to the next hidden state and {@code i2o}
 * to the output, followed by log-softmax. Parameters {@code i2h.weight [H, I+H]}, {@code i2h.bias [H]},
 * {@code i2o.weight [O, I+H]}, {@code i2o.bias [O]}, as in the tutorial's {@code state_dict}.
 */
public final class ClassicCharRnn extends Module {
    private final int inputSize;
    private final int hiddenSize;
    private final int outputSize;
    private final Backend backend;
    private final DType dtype;
    private final Linear i2h;
    private final Linear i2o;
    private final LogSoftmax softmax = new LogSoftmax();

    /** One step's result: log-probabilities {@code [B, O]} and the next hidden state {@code [B, H]}. */
    public record Step(Var output, Var hidden) {
    }

    public ClassicCharRnn(int inputSize, int hiddenSize, int outputSize, Backend backend, DType dtype, long seed) {
        if (inputSize <= 0 || hiddenSize <= 0 || outputSize <= 0) {
            throw new IllegalArgumentException("ClassicCharRnn: sizes must be >= 1, got input " + inputSize + ", hidden "
                    + hiddenSize + ", output " + outputSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.outputSize = outputSize;
        this.backend = backend;
        this.dtype = dtype;
        SplittableRandom rng = new SplittableRandom(seed);
        this.i2h = registerModule("i2h", new Linear(inputSize + hiddenSize, hiddenSize, true, backend, dtype, rng));
        this.i2o = registerModule("i2o", new Linear(inputSize + hiddenSize, outputSize, true, backend, dtype, rng));
    }

    /** A zero hidden state {@code [batch, H]}. */
    public Var initHidden(int batch) {
        return Var.constant(backend.zeros(dtype, batch, hiddenSize));
    }

    /** One step: {@code input [B, I]}, {@code hidden [B, H]}. */
    public Step step(Var input, Var hidden) {
        if (input.shape().length != 2 || input.dim(1) != inputSize || hidden.shape().length != 2 || hidden.dim(1) != hiddenSize
                || input.dim(0) != hidden.dim(0)) {
            throw new IllegalArgumentException("ClassicCharRnn.step: expected input [B, " + inputSize + "] and hidden [B, "
                    + hiddenSize + "], got " + Shapes.str(input.shape()) + " and " + Shapes.str(hidden.shape()));
        }
        Var combined = F.concat(1, input, hidden);
        return new Step(softmax.forward(i2o.forward(combined)), i2h.forward(combined));
    }

    /** Runs a whole sequence {@code x [B, T, I]} from a zero state and returns the last step's log-probabilities {@code [B, O]}. */
    public Var forward(Var x) {
        int[] s = x.shape();
        if (s.length != 3 || s[2] != inputSize) {
            throw new IllegalArgumentException("ClassicCharRnn.forward: x must be [B, T, " + inputSize + "], got " + Shapes.str(s));
        }
        Var hidden = initHidden(s[0]);
        Var out = null;
        for (Var xt : F.unbind(x, 1)) {
            Step st = step(xt, hidden);
            out = st.output();
            hidden = st.hidden();
        }
        return out;
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int outputSize() {
        return outputSize;
    }

    /** {@code input_size}, {@code hidden_size}, {@code output_size}. */
    @Override
    public Map<String, Object> config() {
        Map<String, Object> c = new java.util.LinkedHashMap<>();
        c.put("input_size", inputSize);
        c.put("hidden_size", hiddenSize);
        c.put("output_size", outputSize);
        return c;
    }
}
