package org.rnn4j.spi;

/**
 * Whether a backend can run on this machine, and if not, why (for example
 * {@code "cuInit failed: libcuda.so.1 not found"}).
 *
 * @param available true when {@link BackendProvider#create} is expected to succeed
 * @param reason    empty when available; otherwise what is missing and, where known, how to fix it
 */
public record Availability(boolean available, String reason) {

    /** The backend can run here. */
    public static Availability yes() {
        return new Availability(true, "");
    }

    /** The backend cannot run here, because of {@code reason}. */
    public static Availability no(String reason) {
        return new Availability(false, reason == null || reason.isBlank() ? "no reason given" : reason);
    }

    @Override
    public String toString() {
        return available ? "available" : "unavailable: " + reason;
    }
}
