package org.rnn4j.examples.speech;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.rnn4j.audio.Wav;
import org.rnn4j.audio.WavFormatException;
import org.rnn4j.audio.Waveform;
import org.rnn4j.autograd.F;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.models.ModelFormatException;
import org.rnn4j.models.Models;
import org.rnn4j.tensor.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code speech predict FILE.wav...}: the digits heard in each file, from a saved model alone. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Prints the digits heard in each WAV file (16-bit PCM, at the model's sample rate, 8 kHz for FSDD), from a "
                + "model written by 'speech connected' (a digit string per file) or 'speech digits' (one digit per file, with its "
                + "probability). The model file alone says how to compute the features."})
public final class SpeechPredictCommand implements Callable<Integer> {
    static final Path CONNECTED_DEFAULT = Path.of("rnn4j-output", "speech-connected.safetensors");
    static final Path DIGITS_DEFAULT = Path.of("rnn4j-output", "speech-digits.safetensors");

    @Mixin
    CommonOptions common;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Model file (default: rnn4j-output/speech-connected.safetensors if it exists, else rnn4j-output/speech-digits.safetensors).")
    Path model;

    @Option(names = "--beam", defaultValue = "0", paramLabel = "N",
            description = "For a connected-digit model: prefix beam search with N prefixes (0 = greedy; default: ${DEFAULT-VALUE}).")
    int beam;

    @Parameters(paramLabel = "FILE.wav", arity = "1..*", description = "WAV files to recognise.")
    List<Path> files;

    @Override
    public Integer call() {
        if (beam < 0) {
            throw new UserError("--beam " + beam + " is negative; pass 0 (greedy) or a beam width such as 8");
        }
        Path file = model != null ? model : Files.exists(CONNECTED_DEFAULT) ? CONNECTED_DEFAULT : DIGITS_DEFAULT;
        String hint = "train one with 'java -jar rnn4j.jar speech connected' (or 'speech digits') or pass --model FILE";
        if (!Files.isRegularFile(file)) {
            throw new UserError("no speech model at " + file + "; " + hint);
        }
        Backend backend = common.backend();
        SpeechNet.register();
        Models.Loaded loaded;
        SpeechNet net;
        SpeechFeatures features;
        try {
            loaded = Models.load(file, backend);
            net = loaded.model(SpeechNet.class);
            features = SpeechFeatures.fromMetadata(loaded.metadata(), file.toString());
        } catch (SafeTensorsFormatException | ModelFormatException e) {
            throw new UserError("model " + file + " is not a speech model written by rnn4j (" + firstLine(e.getMessage()) + "); " + hint, e);
        } catch (IllegalArgumentException e) {
            throw new UserError(firstLine(e.getMessage()) + "; " + hint, e);
        } catch (AccessDeniedException e) {
            throw new UserError("cannot read model " + file + ": permission denied; check the file's permissions", e);
        } catch (IOException e) {
            throw new UserError("cannot read model " + file + ": " + e.getMessage() + "; " + hint, e);
        }
        if (net.settings().features() != features.width()) {
            throw new UserError("model " + file + " expects " + net.settings().features() + " features per step but its metadata describes "
                    + features.width() + "; the file is damaged; " + hint);
        }
        // every file is read and checked before anything is printed
        List<Utterances.Utterance> items = new ArrayList<>();
        for (Path wav : files) {
            double[] samples = read(wav, features);
            items.add(new Utterances.Utterance(wav.toString(), "", features.compute(samples), new int[] {0}));
        }
        String[] lines = new String[items.size()];
        if (SpeechNet.DIGITS.equals(net.settings().task())) {
            SpeechNet n = net;
            Utterances.inference(net, items, 64, (b, idx) -> {
                double[] p = F.softmax(n.digitLogits(b.input(backend), b.x().lengths())).value().toDoubleArray();
                for (int k = 0; k < idx.length; k++) {
                    int best = 0;
                    for (int c = 1; c < 10; c++) {
                        best = p[k * 10 + c] > p[k * 10 + best] ? c : best;
                    }
                    lines[idx[k]] = String.format(Locale.ROOT, "%s: %d  (probability %.3f)", items.get(idx[k]).name(), best, p[k * 10 + best]);
                }
            });
        } else {
            int[][] heard = ConnectedCommand.decode(net, items, beam);
            for (int i = 0; i < heard.length; i++) {
                StringBuilder sb = new StringBuilder(items.get(i).name()).append(':');
                for (int d : heard[i]) {
                    sb.append(' ').append(d);
                }
                lines[i] = heard[i].length == 0 ? sb.append(" (no digit heard)").toString() : sb.toString();
            }
        }
        for (String l : lines) {
            System.out.println(l);
        }
        return 0;
    }

    /** The samples of a WAV file the model can hear, or a one-line {@link UserError} naming the file and the problem. */
    static double[] read(Path wav, SpeechFeatures features) {
        Waveform w;
        try {
            w = Wav.read(wav);
        } catch (WavFormatException e) {
            throw new UserError(firstLine(e.getMessage()), e);
        } catch (NoSuchFileException e) {
            throw new UserError("cannot read " + wav + ": no such file; check the path", e);
        } catch (AccessDeniedException e) {
            throw new UserError("cannot read " + wav + ": permission denied; check the file's permissions", e);
        } catch (IOException e) {
            throw new UserError("cannot read " + wav + ": " + e.getMessage(), e);
        }
        if (w.sampleRate() != features.sampleRate()) {
            throw new UserError(wav + ": recorded at " + w.sampleRate() + " Hz but the model hears " + features.sampleRate()
                    + " Hz; resample it (e.g. sox " + wav.getFileName() + " -r " + features.sampleRate() + " out.wav)");
        }
        if (w.length() < features.minSamples()) {
            throw new UserError(String.format(Locale.ROOT, "%s: only %d samples (%.1f ms); the features need at least %d", wav, w.length(),
                    1000 * w.seconds(), features.minSamples()));
        }
        return w.samples();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
