package org.rnn4j.examples.charrnn;

import org.rnn4j.spi.ComputeBackend;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rnn4j.tensor.Backend;
import org.rnn4j.examples.cli.CheckpointFiles;
import org.rnn4j.examples.cli.CommonOptions;
import org.rnn4j.examples.cli.UserError;
import org.rnn4j.examples.cli.Footprint;
import org.rnn4j.examples.data.Vocabulary;
import org.rnn4j.io.Excerpt;
import org.rnn4j.io.SafeTensorsIndex;
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
        SafeTensorsIndex file = CheckpointFiles.read(checkpoint, hint);
        if (!"charrnn".equals(file.metadata().get("model"))) {
            throw new UserError("checkpoint " + checkpoint + " is not a charrnn checkpoint (model="
                    + Excerpt.of(file.metadata().get("model"), 60) + "); " + hint);
        }
        CharModel.Config config = CharModel.Config.fromMetadata(file.metadata(), checkpoint);
        Footprint footprint = config.footprint(1, 1, "pass another --checkpoint");
        CheckpointFiles.requireHolds(file, footprint.parameterCount(), hint);
        footprint.check(false);
        Vocabulary vocab = CheckpointFiles.vocabulary(file, config.vocabulary(), hint);
        CharRnnCommand.checkPrime(prime, vocab);
        Backend backend = common.backend();
        CharModel model = new CharModel(config, backend, common.seed);
        CheckpointFiles.load(checkpoint, model, hint, name -> false);
        System.out.print(prime);
        Sampler.sample(model, vocab, prime, length, temperature, common.seed, s -> {
            System.out.print(s);
            System.out.flush();
        });
        System.out.println();
        return 0;
    }
}
