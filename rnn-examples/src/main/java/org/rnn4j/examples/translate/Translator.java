package org.rnn4j.examples.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Grad;
import org.rnn4j.autograd.Var;
import org.rnn4j.data.Collate;
import org.rnn4j.data.PaddedSequences;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.decode.BeamSearch;
import org.rnn4j.decode.Hypothesis;
import org.rnn4j.decode.LengthPenalty;
import org.rnn4j.decode.Step;
import org.rnn4j.decode.StepFunction;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Translation with a trained {@link Seq2Seq}: greedy decoding (a beam of one) and beam search with
 * length normalisation ({@link BeamSearch#searchAll}), a batch of sentences at a time. Per time step
 * the decoder advances every live hypothesis of every sentence of the batch as one {@code [N, ...]}
 * step, and the attention runs once per batch with each sentence's hypotheses as its queries, so the
 * source memory is never copied per hypothesis. Runs without a graph, in evaluation mode.
 */
final class Translator {
    /** Sentences decoded together. */
    static final int BATCH = 128;

    private final Seq2Seq model;
    private final Vocabulary source;
    private final Vocabulary target;
    private final Backend backend;
    private final DType dtype;

    /**
     * One translation.
     *
     * @param words    the target words (without bos/eos)
     * @param logProb  the summed log-probability of the words and the end token
     * @param score    what the search ranked it by ({@code logProb / length} for beam search, {@code logProb} for greedy)
     * @param finished whether the end token was produced (false: the length limit cut it)
     */
    record Translation(String words, double logProb, double score, boolean finished) {
    }

    Translator(Seq2Seq model, Vocabulary source, Vocabulary target) {
        this.model = model;
        this.source = source;
        this.target = target;
        Var any = model.parameters().values().iterator().next();
        this.backend = any.backend();
        this.dtype = any.dtype();
    }

    /** Source ids of a normalised sentence, unknown words as unk, followed by eos. */
    int[] encodeSource(String normalized) {
        List<String> words = normalized.isEmpty() ? List.of() : Arrays.asList(normalized.split(" "));
        return append(source.encodeTokens(words), source.eosId());
    }

    static int[] append(int[] a, int v) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = v;
        return out;
    }

    /** The most tokens generated for a source of {@code length} ids (its end token included). */
    static int maxLength(int sourceLength) {
        return 2 * sourceLength + 6;
    }

    /**
     * The best translation of each normalised sentence (greedy when {@code beam} is 1); see {@link #translateAll}.
     */
    List<Translation> translate(List<String> sentences, int beam) {
        List<List<Translation>> all = translateAll(sentences, beam, 1);
        List<Translation> best = new ArrayList<>(all.size());
        all.forEach(l -> best.add(l.get(0)));
        return best;
    }

    /**
     * Up to {@code keep} best translations of each normalised sentence, in input order; with beam 1 this
     * is greedy decoding (ranked by log-probability), otherwise beam search of width {@code beam} ranked
     * by the mean log-probability per token. Sentences are decoded in length-sorted batches of {@value #BATCH}.
     */
    List<List<Translation>> translateAll(List<String> sentences, int beam, int keep) {
        model.eval();
        Integer[] order = new Integer[sentences.size()];
        List<int[]> ids = new ArrayList<>(sentences.size());
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            ids.add(encodeSource(sentences.get(i)));
        }
        Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
        List<List<Translation>> out = new ArrayList<>(java.util.Collections.nCopies(sentences.size(), (List<Translation>) null));
        try (Grad.Scope off = Grad.disabled()) {
            for (int from = 0; from < order.length; from += BATCH) {
                int to = Math.min(order.length, from + BATCH);
                List<int[]> batch = new ArrayList<>(to - from);
                int longest = 0;
                for (int k = from; k < to; k++) {
                    batch.add(ids.get(order[k]));
                    longest = Math.max(longest, ids.get(order[k]).length);
                }
                List<List<Hypothesis>> found = searchBatch(batch, beam, maxLength(longest));
                for (int k = from; k < to; k++) {
                    List<Translation> ts = new ArrayList<>();
                    for (Hypothesis h : found.get(k - from).subList(0, Math.min(keep, found.get(k - from).size()))) {
                        ts.add(new Translation(target.decode(h.tokens()), h.logProb(), h.score(), h.finished()));
                    }
                    out.set(order[k], ts);
                }
            }
        }
        return out;
    }

    /** A hypothesis's decoder state: its sentence within the batch and one {@code [H]} row per state tensor. */
    private record State(int sentence, float[][] rows) {
    }

    private List<List<Hypothesis>> searchBatch(List<int[]> sources, int beam, int maxLength) {
        PaddedSequences padded = Collate.pad(sources, source.padId());
        Seq2Seq.Encoded enc = model.encode(padded);
        int b = sources.size();
        int h = model.hidden();
        List<float[]> init = new ArrayList<>();
        for (Var v : enc.initial()) {
            init.add(v.value().toFloatArray());
        }
        List<State> initials = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            float[][] rows = new float[init.size()][];
            for (int k = 0; k < rows.length; k++) {
                rows[k] = Arrays.copyOfRange(init.get(k), i * h, (i + 1) * h);
            }
            initials.add(new State(i, rows));
        }
        BeamSearch search = BeamSearch.builder().beamSize(beam).maxLength(maxLength).eos(target.eosId())
                .lengthPenalty(beam == 1 ? LengthPenalty.none() : LengthPenalty.average()).build();
        return search.searchAll(new BatchStep(enc, b), initials, target.bosId());
    }

    /** Steps all live hypotheses of a batch of sentences at once. */
    private final class BatchStep implements StepFunction<State> {
        private final Seq2Seq.Encoded encoded;
        private final int sentences;

        BatchStep(Seq2Seq.Encoded encoded, int sentences) {
            this.encoded = encoded;
            this.sentences = sentences;
        }

        @Override
        public Step<State> step(State state, int token) {
            return stepAll(List.of(state), new int[] {token}).get(0);
        }

        @Override
        public List<Step<State>> stepAll(List<State> states, int[] tokens) {
            int n = states.size();
            int h = model.hidden();
            int count = model.stateCount();
            List<Var> in = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                float[] buf = new float[n * h];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(states.get(i).rows()[k], 0, buf, i * h, h);
                }
                in.add(Var.constant(backend.fromFloats(buf, dtype, 1, n, h)));
            }
            Seq2Seq.StepResult r = model.step(tokens, in);
            // each sentence's hypotheses become its queries: [sentences, K, H], K the most hypotheses of one sentence
            int[] slot = new int[n];
            int[] used = new int[sentences];
            int k = 0;
            for (int i = 0; i < n; i++) {
                slot[i] = used[states.get(i).sentence()]++;
                k = Math.max(k, used[states.get(i).sentence()]);
            }
            float[] out = r.output().value().toFloatArray();
            float[] queries = new float[sentences * k * h];
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) {
                rows[i] = states.get(i).sentence() * k + slot[i];
                System.arraycopy(out, i * h, queries, rows[i] * h, h);
            }
            Seq2Seq.Attended a = model.attend(Var.constant(backend.fromFloats(queries, dtype, sentences, k, h)), encoded);
            Var attentional = F.gatherRows(F.reshape(a.attentional(), sentences * k, h), rows);
            Tensor logProbs = F.logSoftmax(model.predict(attentional)).value();
            double[] lp = logProbs.toDoubleArray();
            int v = logProbs.dim(1);
            List<float[]> next = new ArrayList<>(count);
            for (Var s : r.state()) {
                next.add(s.value().toFloatArray());
            }
            List<Step<State>> steps = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                double[] row = Arrays.copyOfRange(lp, i * v, (i + 1) * v);
                // padding and begin-of-sentence are never outputs
                row[target.padId()] = Double.NEGATIVE_INFINITY;
                row[target.bosId()] = Double.NEGATIVE_INFINITY;
                float[][] st = new float[count][];
                for (int c = 0; c < count; c++) {
                    st[c] = Arrays.copyOfRange(next.get(c), i * h, (i + 1) * h);
                }
                steps.add(new Step<>(row, new State(states.get(i).sentence(), st)));
            }
            return steps;
        }
    }

    /**
     * The attention weights of the model producing {@code translation} for {@code sentence}: rows are the
     * output words followed by the end token, columns the source words followed by the end token.
     *
     * @return {@code [outputs][sources]}
     */
    double[][] attention(String sentence, String translation) {
        model.eval();
        int[] src = encodeSource(sentence);
        int[] words = translation.isEmpty() ? new int[0] : target.encodeTokens(Arrays.asList(translation.split(" ")));
        int[] prefix = new int[words.length + 1];
        prefix[0] = target.bosId();
        System.arraycopy(words, 0, prefix, 1, words.length);
        try (Grad.Scope off = Grad.disabled()) {
            Seq2Seq.Encoded enc = model.encode(Collate.pad(List.of(src), source.padId()));
            double[] w = model.decode(enc, Collate.pad(List.of(prefix), target.padId())).weights().value().toDoubleArray();
            double[][] m = new double[prefix.length][src.length];
            for (int t = 0; t < prefix.length; t++) {
                System.arraycopy(w, t * src.length, m[t], 0, src.length);
            }
            return m;
        }
    }
}
