package org.rnn4j.nd4j;

import org.rnn4j.spi.Availability;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.backend.Backends;

/**
 * Run in a JVM whose class path lacks nd4j-native's native jar (by
 * {@code Nd4jBackendProviderTest#withoutTheNativeJarTheBackendIsUnavailableAndSelectionFallsThrough}): prints what
 * the provider and the selection say.
 */
public final class Nd4jUnavailableProbe {
    private Nd4jUnavailableProbe() {
    }

    public static void main(String[] args) {
        BackendProvider p = Backends.providers().get("nd4j");
        Availability a = p.availability();
        System.out.println("nd4j available=" + a.available());
        System.out.println("reason=" + a.reason());
        System.out.println("selected=" + Backends.resolveName(null));
        try {
            Backends.get("nd4j");
            System.out.println("explicit=no error");
        } catch (RuntimeException e) {
            System.out.println("explicit=" + e.getMessage());
        }
    }
}
