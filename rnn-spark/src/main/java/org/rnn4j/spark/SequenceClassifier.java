package org.rnn4j.spark;

import java.util.List;
import org.rnn4j.autograd.Var;

/**
 * A model that maps sequences of token ids to class logits; what {@link PredictionHook#classifier()}
 * scores a string column with (the names model {@code CharClassifier} is one).
 */
public interface SequenceClassifier {
    /** Class logits {@code [B, classes]} for {@code B} sequences of token ids (each of length >= 1). */
    Var forward(List<int[]> ids);
}
