package org.rnn4j.data;

/**
 * Loading a batch failed: {@link Dataset#get} or the collate function threw (the original exception is
 * the {@linkplain #getCause() cause}), or the thread waiting for a background batch was interrupted.
 * The message names the epoch, the batch and the first dataset indices of that batch. The loader's
 * position is left on the failed batch, so iterating again retries it.
 */
public final class DataLoaderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long epoch;
    private final int batch;

    DataLoaderException(String message, long epoch, int batch, Throwable cause) {
        super(message, cause);
        this.epoch = epoch;
        this.batch = batch;
    }

    /** The epoch of the batch that failed. */
    public long epoch() {
        return epoch;
    }

    /** The position within its epoch (0-based) of the batch that failed. */
    public int batch() {
        return batch;
    }
}
