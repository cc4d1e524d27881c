package org.rnn4j.examples.speech;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.rnn4j.audio.Wav;
import org.rnn4j.audio.WavFormatException;
import org.rnn4j.audio.Waveform;
import org.rnn4j.examples.cli.UserError;

/**
 * The Free Spoken Digit Dataset (FSDD, CC BY-SA 4.0): 3,000 recordings {@code {digit}_{speaker}_{index}.wav},
 * 8 kHz mono 16-bit, six speakers saying each digit 50 times. The recordings are bundled in the jar as
 * {@code data/fsdd/recordings.zip} (packed unchanged); {@link #fromDirectory} reads the same layout from
 * a directory. The dataset's own split: index 0-4 of every speaker and digit is the test set.
 */
public final class Fsdd {
    /** The bundled archive of the recordings. */
    public static final String BUNDLED = "/data/fsdd/recordings.zip";
    /** The dataset's speakers, in label order. */
    public static final List<String> SPEAKERS = List.of("george", "jackson", "lucas", "nicolas", "theo", "yweweler");
    /** Sample rate of every recording, in Hz. */
    public static final int SAMPLE_RATE = 8000;
    /** Recordings with an index below this are the dataset's test set. */
    public static final int TEST_INDICES = 5;

    private static final Pattern NAME = Pattern.compile("(\\d)_([A-Za-z]+)_(\\d+)\\.wav");

    private Fsdd() {
    }

    /** What a recording's file name says: digit, speaker and index. */
    public record Key(int digit, String speaker, int index) {
        /** Whether the dataset's own split puts this recording in the test set. */
        public boolean test() {
            return index < TEST_INDICES;
        }

        /** The file name, {@code {digit}_{speaker}_{index}.wav}. */
        public String fileName() {
            return digit + "_" + speaker + "_" + index + ".wav";
        }
    }

    /**
     * One recording.
     *
     * @param key digit, speaker and index
     * @param samples the samples in {@code [-1, 1)} at {@link #SAMPLE_RATE} (the array is the recording's own)
     */
    public record Recording(Key key, double[] samples) {
        public int digit() {
            return key.digit();
        }

        public String speaker() {
            return key.speaker();
        }
    }

    /** The key of a file name of the FSDD layout, or null when the name does not follow it. */
    public static Key parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        return new Key(Integer.parseInt(m.group(1)), m.group(2).toLowerCase(Locale.ROOT), Integer.parseInt(m.group(3)));
    }

    /** The bundled recordings whose key {@code keep} accepts, in file-name order. */
    public static List<Recording> bundled(Predicate<Key> keep) {
        List<Recording> out = new ArrayList<>();
        try (InputStream raw = Fsdd.class.getResourceAsStream(BUNDLED)) {
            if (raw == null) {
                throw new UserError("the bundled recordings " + BUNDLED.substring(1) + " are missing from the jar; rebuild it with "
                        + "'mvn -B -q package -DskipTests' or pass a directory of FSDD recordings with --data");
            }
            ZipInputStream zip = new ZipInputStream(raw);
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                Key key = parse(name);
                if (e.isDirectory() || key == null || !keep.test(key)) {
                    continue;
                }
                out.add(new Recording(key, read(unclosable(zip), "bundled fsdd/" + name)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(r -> r.key().fileName()));
        return out;
    }

    /**
     * The recordings named {@code {digit}_{speaker}_{index}.wav} in {@code dir} whose key {@code keep}
     * accepts, in file-name order; other files are ignored.
     */
    public static List<Recording> fromDirectory(Path dir, Predicate<Key> keep) {
        if (!Files.isDirectory(dir)) {
            throw new UserError("--data " + dir + " is not a directory; pass a directory of FSDD recordings named "
                    + "{digit}_{speaker}_{index}.wav");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> parse(p.getFileName().toString()) != null).sorted().toList();
        } catch (IOException e) {
            throw new UserError("cannot list --data " + dir + ": " + e.getMessage() + "; check the directory's permissions");
        }
        List<Recording> out = new ArrayList<>();
        for (Path f : files) {
            Key key = parse(f.getFileName().toString());
            if (keep.test(key)) {
                try (InputStream in = Files.newInputStream(f)) {
                    out.add(new Recording(key, read(in, f.toString())));
                } catch (IOException e) {
                    throw new UserError("cannot read " + f + ": " + e.getMessage() + "; check the file's permissions");
                }
            }
        }
        if (out.isEmpty()) {
            throw new UserError("--data " + dir + " holds no recordings named {digit}_{speaker}_{index}.wav (for the speakers and "
                    + "indices asked for); pass the FSDD recordings directory");
        }
        return out;
    }

    /** The samples of one WAV stream of the dataset: 16-bit PCM at {@link #SAMPLE_RATE}, else a one-line {@link UserError}. */
    private static double[] read(InputStream in, String source) throws IOException {
        Waveform w;
        try {
            w = Wav.read(in, source);
        } catch (WavFormatException e) {
            throw new UserError(e.getMessage() + "; every recording must be 16-bit PCM WAV at " + SAMPLE_RATE + " Hz", e);
        }
        if (w.sampleRate() != SAMPLE_RATE) {
            throw new UserError(source + ": recorded at " + w.sampleRate() + " Hz; the FSDD recordings are " + SAMPLE_RATE
                    + " Hz; resample it (e.g. sox in.wav -r 8000 out.wav)");
        }
        return w.samples();
    }

    /** A view of the zip stream whose close() does not close the archive (the WAV reader may close what it reads). */
    private static InputStream unclosable(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public void close() {
                // the archive stays open for the next entry
            }
        };
    }
}
