package org.rnn4j.examples.charrnn;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.decode.Sampler;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.ModelFiles;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.models.Models;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code charrnn sample}: generates text from a checkpoint, streaming it character by character. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Generates text from a charrnn checkpoint, printing each character as it is drawn (the stateful, streaming API).")
public final class CharRnnSampleCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--checkpoint", defaultValue = "rnn4j-output/charrnn.safetensors", paramLabel = "FILE",
            description = "Checkpoint written by 'charrnn' (default: ${DEFAULT-VALUE}).")
    Path checkpoint;

    @Option(names = "--prime", defaultValue = "\n", paramLabel = "TEXT", description = "Text to start from (default: a newline).")
    String prime;

    @Option(names = "--length", defaultValue = "500", paramLabel = "N", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", defaultValue = "0.8", paramLabel = "T",
            description = "Below 1: safer, more repetitive; above 1: more surprising (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Override
    public Integer call() {
        if (length < 0) {
            throw new UserError("--length " + length + " must be >= 0");
        }
        if (!(temperature > 0)) {
            throw new UserError("--temperature " + temperature + " must be positive; pass e.g. 0.8");
        }
        String hint = "train one first with 'java -jar rnn4j.jar charrnn' or pass --checkpoint FILE";
        Models.Loaded loaded = ModelFiles.load(checkpoint, common.backend(), hint);
        CharModel model = ModelFiles.model(loaded, CharModel.class, CharRnnCommand.VOCAB, checkpoint, "charrnn", hint);
        Vocabulary vocab = ModelFiles.vocabulary(loaded, CharRnnCommand.VOCAB, model.vocabularySize(), checkpoint, hint);
        CharRnnCommand.checkPrime(prime, vocab);
        System.out.print(prime);
        model.generate(vocab, prime, length, Sampler.builder().temperature(temperature).build(), common.seed, s -> {
            System.out.print(s);
            System.out.flush();
        });
        System.out.println();
        return 0;
    }
}
