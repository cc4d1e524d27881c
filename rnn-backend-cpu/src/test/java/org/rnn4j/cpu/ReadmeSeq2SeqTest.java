package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.backend.Backends;
import org.rnn4j.data.DataLoader;
import org.rnn4j.data.Dataset;
import org.rnn4j.loss.Losses;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Cells;
import org.rnn4j.nn.Embedding;
import org.rnn4j.nn.Linear;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Recurrent;
import org.rnn4j.nn.attention.AdditiveAttention;
import org.rnn4j.optim.Adam;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.train.Fit;

/**
 * The README's "Using the API" example, verbatim between the markers: an encoder-decoder with attention
 * built from modules, trained with {@code Fit} to reverse digit strings, saved with {@code Models.save}
 * and loaded back with {@code Models.load}. The test checks it learns and that the loaded model gives
 * identical outputs.
 */
class ReadmeSeq2SeqTest {

    // README-BEGIN
    public static final class Seq2Seq extends Module {
        final int vocab, hidden;
        final Embedding src, tgt;
        final Recurrent encoder, decoder;
        final AdditiveAttention attention; final Linear head;

        public Seq2Seq(int vocab, int hidden, Backend b) {
            this.vocab = vocab; this.hidden = hidden; var rng = new SplittableRandom(1);
            src = registerModule("src", new Embedding(vocab, hidden, 0, b, DType.FLOAT32, rng));
            tgt = registerModule("tgt", new Embedding(vocab, hidden, 0, b, DType.FLOAT32, rng));
            encoder = registerModule("encoder", Recurrent.builder(Cells.gru(), hidden, hidden).bidirectional(true).backend(b).seed(2).build());
            decoder = registerModule("decoder", Recurrent.builder(Cells.gru(), hidden, hidden).backend(b).seed(3).build());
            attention = registerModule("attention", new AdditiveAttention(hidden, 2 * hidden, hidden, b, DType.FLOAT32, rng));
            head = registerModule("head", new Linear(3 * hidden, vocab, true, b, DType.FLOAT32, rng));
        }

        public Var forward(int[][] source, int[][] decoderInput) {         // logits [B, T, V], teacher forcing
            Var keys = encoder.forward(src.forward(source)).output();            // [B, S, 2H]
            Var states = decoder.forward(tgt.forward(decoderInput)).output();    // [B, T, H]
            Var context = attention.forward(states, keys).output();              // [B, T, 2H]
            return head.forward(F.concat(2, states, context));
        }

        @Override public Map<String, Object> config() { return Map.of("vocab", vocab, "hidden", hidden); }
    }

    static Fit.Result trainSaveLoad(Path file, int epochs) throws Exception {
        Backend cpu = Backends.get("cpu");
        Models.register("Seq2Seq", (spec, b, d) -> new Seq2Seq(spec.getInt("vocab", 1, 1 << 20), spec.getInt("hidden", 1, 1 << 16), b));
        Seq2Seq model = new Seq2Seq(11, 32, cpu);                              // ids 1..9 digits, 10 = start, 0 = padding
        Dataset<int[]> strings = Dataset.generate(256, i -> new SplittableRandom(i).ints(5, 1, 10).toArray());
        DataLoader<int[], List<int[]>> loader = DataLoader.builder(strings).batchSize(32).shuffle(7).build();
        Adam adam = Adam.builder(model.parameters().values()).lr(0.01).build();
        Fit.Result result = Fit.builder(model, adam, loader, batch -> {
            int[][] source = batch.toArray(new int[0][]), input = new int[batch.size()][5];
            int[] target = new int[batch.size() * 5];                          // learn to reverse the string
            for (int i = 0; i < batch.size(); i++) {
                for (int t = 0; t < 5; t++) { target[i * 5 + t] = source[i][4 - t]; input[i][t] = t == 0 ? 10 : source[i][5 - t]; }
            }
            return Losses.crossEntropy(F.reshape(model.forward(source, input), batch.size() * 5, 11), target);
        }).epochs(epochs).run();
        Models.save(file, model);
        Seq2Seq loaded = Models.load(file, cpu).model(Seq2Seq.class);
    // README-END
        int[][] source = {{1, 2, 3, 4, 5}, {9, 8, 7, 1, 1}};
        int[][] input = {{10, 5, 4, 3, 2}, {10, 1, 1, 7, 8}};
        try (var off = Grad.disabled()) {
            model.eval();
            assertArrayEquals(model.forward(source, input).value().toFloatArray(), loaded.forward(source, input).value().toFloatArray(), 0f);
        }
        return result;
    }

    @Test
    void theReadmeEncoderDecoderLearnsToReverseAndRoundTrips(@TempDir Path dir) throws Exception {
        Fit.Result r = trainSaveLoad(dir.resolve("seq2seq.safetensors"), 25);
        double first = r.history().get(0).get("loss");
        double last = r.last().get("loss");
        assertTrue(last < 0.2 * first && last < 0.4, "loss " + first + " -> " + last);
    }
}
