package org.rnn4j.examples.speech;

import java.util.concurrent.Callable;
import org.rnn4j.examples.cli.UserError;
import picocli.CommandLine.Command;

/** {@code speech}: the spoken-digit applications. */
@Command(name = "speech", mixinStandardHelpOptions = true,
        subcommands = {DigitsCommand.class, ConnectedCommand.class, SpeechPredictCommand.class},
        description = {"Spoken digits (Free Spoken Digit Dataset, bundled): 'speech digits', 'speech connected', 'speech predict FILE.wav...'.", "",
                "'digits' classifies isolated digits; 'connected' recognises strings of 2-5 digits joined from the recordings, "
                + "with a bidirectional network trained with CTC; 'predict' prints the digits heard in WAV files, from a saved model."})
public final class SpeechCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'speech' needs a task: digits, connected or predict FILE.wav...; see 'java -jar rnn4j.jar speech --help'");
    }
}
