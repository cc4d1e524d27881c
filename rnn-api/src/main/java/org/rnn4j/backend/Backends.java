package org.rnn4j.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.rnn4j.spi.AbstractBackend;
import org.rnn4j.spi.Availability;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers backends on the class path and selects one.
 *
 * <p>Selection order: an explicit name passed to {@link #get(String)}; else the system property
 * {@value #PROPERTY}; else the environment variable {@value #ENV}; else the available provider of
 * highest priority. A named backend that is unavailable is an error, never a silent fallback.
 * Backends are created once per (name, options) and shared; one that was closed is created anew.
 */
public final class Backends {
    /** System property naming the backend to use. */
    public static final String PROPERTY = "rnn4j.backend";
    /** Environment variable naming the backend to use (after the system property). */
    public static final String ENV = "RNN4J_BACKEND";

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
    private static final Map<String, Backend> CREATED = new ConcurrentHashMap<>();

    private Backends() {
    }

    /** One discovered provider, or the error raised while loading it. */
    public record Discovered(BackendProvider provider, String loadError, String jar) {
    }

    /**
     * Loads providers one at a time, so that one broken jar does not hide the others: each failure is
     * kept as a {@link Discovered} with a load error.
     */
    public static List<Discovered> discover() {
        List<Discovered> out = new ArrayList<>();
        Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, classLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                BackendProvider p = it.next();
                out.add(new Discovered(p, null, jarOf(p.getClass())));
            } catch (ServiceConfigurationError | LinkageError e) {
                String why = e.getCause() == null ? e.toString() : e + " (caused by " + e.getCause() + ")";
                LOG.warn("A backend provider failed to load: {}", why);
                out.add(new Discovered(null, why, "?"));
            }
        }
        return out;
    }

    private static ClassLoader classLoader() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        return cl != null ? cl : Backends.class.getClassLoader();
    }

    private static String jarOf(Class<?> c) {
        try {
            var src = c.getProtectionDomain().getCodeSource();
            return src == null ? "?" : src.getLocation().getPath();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** Installed providers by name; two providers with one name are an error. */
    public static Map<String, BackendProvider> providers() {
        return index(discover());
    }

    /** Indexes discovered providers by name, rejecting two providers with one name. */
    static Map<String, BackendProvider> index(List<Discovered> discovered) {
        Map<String, BackendProvider> byName = new LinkedHashMap<>();
        for (Discovered d : discovered) {
            if (d.provider() == null) {
                continue;
            }
            BackendProvider prev = byName.put(d.provider().name(), d.provider());
            if (prev != null) {
                throw new BackendException("Two backend providers are named '" + d.provider().name() + "': "
                        + prev.getClass().getName() + " (" + jarOf(prev.getClass()) + ") and " + d.provider().getClass().getName()
                        + " (" + d.jar() + "); remove one of the jars from the class path");
            }
        }
        return byName;
    }

    /** The backend chosen by the selection rule (property, environment, priority), with default options. */
    public static Backend get() {
        return get(null, BackendOptions.defaults());
    }

    /** The named backend (or, when {@code name} is null or blank, the one chosen by the selection rule). */
    public static Backend get(String name) {
        return get(name, BackendOptions.defaults());
    }

    /**
     * The named backend with {@code options}; {@code name} null or blank applies the selection rule.
     *
     * @throws BackendException naming the unknown or unavailable backend, where the name came from,
     *                          and the backends that are installed
     */
    public static Backend get(String name, BackendOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("Backends.get: options is null; pass BackendOptions.defaults()");
        }
        // one discovery per call: the same provider map resolves the name and creates the backend
        Map<String, BackendProvider> all = providers();
        String resolved = resolveName(name, System.getProperty(PROPERTY), System.getenv(ENV), all);
        String key = resolved + "#" + options;
        Backend existing = CREATED.get(key);
        if (open(existing)) {
            return existing;
        }
        synchronized (Backends.class) {
            existing = CREATED.get(key);
            if (open(existing)) {
                return existing;
            }
            BackendProvider p = all.get(resolved);
            Backend b;
            try {
                b = p.create(options);
            } catch (RuntimeException | LinkageError e) {
                throw new BackendException("Backend '" + resolved + "' failed to start: " + e, e);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("Started backend {} {}", b.name(), b.version());
            }
            CREATED.put(key, b);
            return b;
        }
    }

    /** Whether {@code b} is a backend that was created and not closed since (a closed one is made again). */
    private static boolean open(Backend b) {
        return b != null && !(b instanceof AbstractBackend ab && ab.isClosed());
    }

    /**
     * The name the selection rule picks for {@code explicit} (may be null), after checking that it is
     * installed and available.
     */
    public static String resolveName(String explicit) {
        return resolveName(explicit, System.getProperty(PROPERTY), System.getenv(ENV), providers());
    }

    /** The selection rule over explicit inputs (testable without touching the process environment). */
    static String resolveName(String explicit, String property, String env, Map<String, BackendProvider> all) {
        String source;
        String name;
        if (notBlank(explicit)) {
            name = explicit;
            source = "argument";
        } else if (notBlank(property)) {
            name = property;
            source = "system property " + PROPERTY;
        } else if (notBlank(env)) {
            name = env;
            source = "environment variable " + ENV;
        } else {
            return highestPriorityAvailable(all);
        }
        name = name.trim().toLowerCase(Locale.ROOT);
        BackendProvider p = all.get(name);
        if (p == null) {
            if (all.isEmpty()) {
                throw new BackendException(noBackendMessage());
            }
            throw new BackendException("Unknown backend '" + name + "' (from " + source + "). Installed: "
                    + String.join(", ", all.keySet()));
        }
        Availability a = p.availability();
        if (!a.available()) {
            throw new BackendException("Backend '" + name + "' (from " + source + ") is installed but unavailable: " + a.reason());
        }
        return name;
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static String noBackendMessage() {
        return "No rnn4j backend on the class path: add rnn-backend-cpu, rnn-backend-nd4j or rnn-backend-cuda as a dependency";
    }

    private static String highestPriorityAvailable(Map<String, BackendProvider> all) {
        if (all.isEmpty()) {
            throw new BackendException(noBackendMessage());
        }
        // ask in descending priority and stop at the first available one: availability() may load native libraries
        List<BackendProvider> byPriority = new ArrayList<>(all.values());
        byPriority.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        List<String> why = new ArrayList<>();
        for (BackendProvider p : byPriority) {
            Availability a = p.availability();
            if (a.available()) {
                return p.name();
            }
            why.add(p.name() + " (" + a.reason() + ")");
        }
        throw new BackendException("No rnn4j backend is available here: " + String.join(", ", why));
    }

    /** A human-readable listing of every provider: name, priority, version, jar and availability. */
    public static String diagnostics() {
        StringBuilder sb = new StringBuilder();
        sb.append("rnn4j backends (selection: explicit name > -D").append(PROPERTY).append(" > $").append(ENV)
                .append(" > highest available priority)\n");
        sb.append("  java ").append(System.getProperty("java.version")).append(" (").append(System.getProperty("java.vendor"))
                .append("), ").append(Runtime.getRuntime().availableProcessors()).append(" cores, os ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append('\n');
        String prop = System.getProperty(PROPERTY);
        String env = System.getenv(ENV);
        sb.append("  ").append(PROPERTY).append("=").append(prop == null ? "(unset)" : prop).append(", ").append(ENV).append("=")
                .append(env == null ? "(unset)" : env).append('\n');
        List<Discovered> found = discover();
        if (found.isEmpty()) {
            sb.append("  ").append(noBackendMessage()).append('\n');
        }
        for (Discovered d : found) {
            if (d.provider() == null) {
                sb.append("  (broken provider) ").append(d.loadError()).append('\n');
                continue;
            }
            BackendProvider p = d.provider();
            sb.append(String.format(Locale.ROOT, "  %-6s priority %-4d version %-28s %s%n      jar: %s%n", p.name(), p.priority(),
                    p.version(), p.availability(), d.jar()));
        }
        try {
            sb.append("  default: ").append(resolveName(null)).append('\n');
        } catch (BackendException e) {
            sb.append("  default: none (").append(e.getMessage()).append(")\n");
        }
        return sb.toString();
    }

    /** Prints {@link #diagnostics()}. */
    public static void main(String[] args) {
        System.out.print(diagnostics());
    }
}
