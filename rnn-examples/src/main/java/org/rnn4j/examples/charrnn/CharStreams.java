package org.rnn4j.examples.charrnn;

import java.util.ArrayList;
import java.util.List;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.loss.CrossEntropyOptions;
import org.rnn4j.loss.Losses;
import org.rnn4j.loss.Reduction;
import org.rnn4j.nn.Recurrent;

/**
 * Truncated-BPTT batches over a text: the text is cut into {@code batch} contiguous streams, and step
 * {@code k} of an epoch reads characters {@code [k*T, (k+1)*T)} of every stream (targets one further).
 * The order is fixed, so step {@code n} always sees the same chunk: a resumed run continues exactly
 * where the interrupted one stopped.
 */
final class CharStreams {
    private final int[] ids;
    private final int batch;
    private final int seq;
    private final int streamLength;
    private final int stepsPerEpoch;

    CharStreams(int[] ids, int batch, int seq) {
        this.ids = ids;
        this.batch = batch;
        this.seq = seq;
        this.streamLength = (ids.length - 1) / batch;
        this.stepsPerEpoch = streamLength / seq;
    }

    /** Whether the text gives at least one step at this batch size and sequence length. */
    static boolean fits(int textLength, int batch, int seq) {
        return (textLength - 1) / batch / seq >= 1;
    }

    int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** The epoch (0-based) of global step {@code step}. */
    long epoch(long step) {
        return step / stepsPerEpoch;
    }

    /** Whether global step {@code step} starts an epoch (the carried state is reset there). */
    boolean startsEpoch(long step) {
        return step % stepsPerEpoch == 0;
    }

    /** Fills {@code inputs} and {@code targets} ({@code [B, T]} row-major) for global step {@code step}. */
    void fill(long step, int[] inputs, int[] targets) {
        int k = (int) (step % stepsPerEpoch);
        for (int b = 0; b < batch; b++) {
            int start = b * streamLength + k * seq;
            System.arraycopy(ids, start, inputs, b * seq, seq);
            System.arraycopy(ids, start + 1, targets, b * seq, seq);
        }
    }

    /**
     * Mean cross-entropy in nats per character of the model on {@code ids}, read as {@code batch} streams
     * spread evenly over the whole of {@code ids}, in chunks of {@code seq} with the state carried
     * through; with {@code maxChars > 0} only the first {@code maxChars / batch} characters of each stream
     * are read (a cheaper estimate that still samples the whole text). Each stream first reads, unscored,
     * up to 128 characters that precede it ({@code context}, the text before {@code ids}, for the first
     * stream), so that no character is scored without context. Leaves the model's carried (training)
     * state alone.
     */
    static double evaluate(CharModel model, int[] ids, int[] context, int maxChars, int batch, int seq) {
        int n = ids.length;
        int streams = Math.max(1, Math.min(batch, (n - 1) / Math.max(1, seq)));
        int length = (n - 1) / streams;
        int read = maxChars > 0 ? Math.min(length, Math.max(seq, maxChars / streams)) : length;
        int burn = Math.min(128, Math.min(context.length, streams > 1 ? length : Integer.MAX_VALUE));
        double sum = 0;
        long count = 0;
        model.train(false);
        try (Grad.Scope off = Grad.disabled()) {
            List<Var> state = null;
            if (burn > 0) {
                int[] prefix = new int[streams * burn];
                for (int b = 0; b < streams; b++) {
                    if (b == 0) {
                        System.arraycopy(context, context.length - burn, prefix, 0, burn);
                    } else {
                        System.arraycopy(ids, b * length - burn, prefix, b * burn, burn);
                    }
                }
                state = new ArrayList<>(model.logits(prefix, streams, burn, null).finalState());
            }
            for (int pos = 0; pos < read; pos += seq) {
                int t = Math.min(seq, read - pos);
                int[] in = new int[streams * t];
                int[] tg = new int[streams * t];
                for (int b = 0; b < streams; b++) {
                    System.arraycopy(ids, b * length + pos, in, b * t, t);
                    System.arraycopy(ids, b * length + pos + 1, tg, b * t, t);
                }
                Recurrent.Output out = model.logits(in, streams, t, state);
                sum += Losses.crossEntropy(out.output(), tg, CrossEntropyOptions.defaults().withReduction(Reduction.SUM)).value().item();
                count += (long) streams * t;
                state = new ArrayList<>(out.finalState());
            }
        } finally {
            model.train(true);
        }
        return sum / count;
    }
}
