package org.rnn4j.data;

import java.util.Objects;

/**
 * Truncated-BPTT batches over one long token sequence (a text's character ids), as char-rnn and
 * PyTorch's word-language-model example read their corpus: the {@code N} ids are cut into
 * {@code batch} contiguous streams of {@code L = (N - 1) / batch} ids each, and chunk {@code k} of an
 * epoch holds ids {@code [k*T, (k+1)*T)} of every stream as inputs and the ids one step further as
 * targets. Consecutive chunks continue each stream, so a model may carry its state from one chunk to
 * the next (resetting it when a chunk {@link #startsEpoch starts an epoch}). An epoch has
 * {@code L / T} chunks; the order never changes, so global step {@code n} always reads the same chunk
 * and a resumed run continues exactly where it stopped.
 *
 * <p>As a {@link Dataset}, index {@code k} is chunk {@code k} of an epoch (use a sequential
 * {@link DataLoader} of batch size 1 to prefetch them). The ids are copied at construction.
 */
public final class TokenStreams implements Dataset<TokenStreams.Chunk> {

    /**
     * One chunk, batch-first and row-major: step {@code t} of stream {@code b} at {@code b*steps + t}.
     *
     * @param inputs {@code [batch*steps]}
     * @param targets {@code [batch*steps]}: each input's next id
     * @param batch B, the number of streams
     * @param steps T, ids per stream
     */
    public record Chunk(int[] inputs, int[] targets, int batch, int steps) {
    }

    private final int[] ids;
    private final int batch;
    private final int steps;
    private final int streamLength;
    private final int chunks;

    /**
     * @param ids the token ids; copied
     * @param batch B, streams read side by side, {@code >= 1}
     * @param steps T, ids per stream per chunk, {@code >= 1}
     * @throws IllegalArgumentException naming the argument when a setting is below 1 or the ids are too
     *     few for one chunk ({@code batch * steps + 1} are needed; see {@link #fits})
     */
    public TokenStreams(int[] ids, int batch, int steps) {
        Objects.requireNonNull(ids, "ids");
        if (batch < 1) {
            throw new IllegalArgumentException("batch = " + batch + ", expected >= 1");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps = " + steps + ", expected >= 1");
        }
        if (!fits(ids.length, batch, steps)) {
            throw new IllegalArgumentException("ids has " + ids.length + " entries; " + batch + " streams of " + steps + " steps need at least batch * steps + 1 = "
                    + ((long) batch * steps + 1));
        }
        this.ids = ids.clone();
        this.batch = batch;
        this.steps = steps;
        this.streamLength = (ids.length - 1) / batch;
        this.chunks = streamLength / steps;
    }

    /** Whether {@code length} ids give at least one chunk of {@code batch} streams of {@code steps} ids. */
    public static boolean fits(int length, int batch, int steps) {
        return batch >= 1 && steps >= 1 && (length - 1L) / batch / steps >= 1;
    }

    /** Chunks per epoch, {@code L / T}. */
    @Override
    public int size() {
        return chunks;
    }

    /** Chunk {@code index} of an epoch, in new arrays. */
    @Override
    public Chunk get(int index) {
        Objects.checkIndex(index, chunks);
        int[] in = new int[batch * steps];
        int[] tg = new int[batch * steps];
        fill(index, in, tg);
        return new Chunk(in, tg, batch, steps);
    }

    /** Chunks per epoch (the same as {@link #size()}). */
    public int stepsPerEpoch() {
        return chunks;
    }

    /** L, the ids of each stream ({@code (N - 1) / batch}); the last {@code L mod T} of them are never read. */
    public int streamLength() {
        return streamLength;
    }

    /** B, the number of streams. */
    public int batch() {
        return batch;
    }

    /** T, ids per stream per chunk. */
    public int steps() {
        return steps;
    }

    /** The epoch (0-based) of global step {@code step >= 0}. */
    public long epoch(long step) {
        checkStep(step);
        return step / chunks;
    }

    /** Whether global step {@code step >= 0} is the first of an epoch (where a carried state is reset). */
    public boolean startsEpoch(long step) {
        checkStep(step);
        return step % chunks == 0;
    }

    /**
     * Writes the chunk of global step {@code step} (chunk {@code step mod size()}) into {@code inputs}
     * and {@code targets}, each {@code [batch*steps]} row-major; modifies only those two arrays.
     *
     * @throws IllegalArgumentException when an array has the wrong length or {@code step < 0}
     */
    public void fill(long step, int[] inputs, int[] targets) {
        checkStep(step);
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(targets, "targets");
        if (inputs.length != batch * steps || targets.length != batch * steps) {
            throw new IllegalArgumentException("inputs has " + inputs.length + " and targets " + targets.length + " entries, expected batch * steps = "
                    + batch * steps + " each");
        }
        int k = (int) (step % chunks);
        for (int b = 0; b < batch; b++) {
            int start = b * streamLength + k * steps;
            System.arraycopy(ids, start, inputs, b * steps, steps);
            System.arraycopy(ids, start + 1, targets, b * steps, steps);
        }
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step = " + step + ", expected >= 0");
        }
    }
}
