package org.rnn4j.tensor;

/**
 * Options passed to {@link BackendProvider#create}.
 *
 * @param threads number of compute threads; 0 means the backend's default (usually all cores)
 */
public record BackendOptions(int threads) {

    /** Default options: the backend chooses its thread count. */
    public static BackendOptions defaults() {
        return new BackendOptions(0);
    }

    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads = " + threads + ", expected 0 (backend default) or a positive count");
        }
    }
}
