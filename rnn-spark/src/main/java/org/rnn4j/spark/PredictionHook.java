package org.rnn4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.rnn4j.autograd.F;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.models.ModelFormatException;
import org.rnn4j.models.Models;
import org.rnn4j.spark.examples.CharClassifier;

/**
 * How {@link RnnModel} turns a batch of input values into predictions with a loaded model file: the
 * Spark type of the appended column and the batch function. {@link #classifier()} covers sequence
 * classifiers over a string column; other kinds (generation, forecasting) implement this interface.
 * Serialized to the executors.
 */
public interface PredictionHook extends Serializable {

    /** The Spark type of the prediction column. */
    DataType outputType();

    /**
     * The predictions for {@code inputs} (the input column's non-null values of up to one batch), one
     * per input, in order: values of {@link #outputType()} ({@code Row}s for a struct type). Called with
     * gradients off and the model in evaluation mode, one batch at a time per model.
     */
    List<Object> predict(Models.Loaded model, List<Object> inputs);

    /**
     * Registers the model's own module types ({@code Models.register}) in this JVM before the file is
     * loaded; nothing by default (built-in modules need no registration).
     */
    default void registerTypes() {
    }

    /**
     * The prediction type of {@link #classifier()}: {@code label} (string), {@code index} (int),
     * {@code probability} (double) and {@code probabilities} (array of double, in class order).
     */
    StructType CLASSIFICATION = new StructType().add("label", DataTypes.StringType).add("index", DataTypes.IntegerType)
            .add("probability", DataTypes.DoubleType).add("probabilities", DataTypes.createArrayType(DataTypes.DoubleType, false));

    /**
     * A classifier over a string column: the model file's model is a {@link SequenceClassifier}, its
     * vocabulary {@code tokens} encodes the strings (unknown characters to the vocabulary's unknown id),
     * and its metadata entry {@code labels} names the classes, one per line. The prediction is
     * {@link #CLASSIFICATION}: the most probable class, its probability and every class's (softmax).
     */
    static PredictionHook classifier() {
        return new PredictionHook() {
            private static final long serialVersionUID = 1L;

            @Override
            public DataType outputType() {
                return CLASSIFICATION;
            }

            @Override
            public void registerTypes() {
                CharClassifier.register();
            }

            @Override
            public List<Object> predict(Models.Loaded loaded, List<Object> inputs) {
                if (!(loaded.model() instanceof SequenceClassifier model)) {
                    throw new ModelFormatException("the model file holds a " + loaded.model().typeName()
                            + ", which is not a SequenceClassifier; score it with a PredictionHook of its own");
                }
                Vocabulary vocab = loaded.vocabulary("tokens");
                String labelText = loaded.metadata().get("labels");
                if (labelText == null) {
                    throw new ModelFormatException("the model file has no 'labels' metadata (the class names, one per line)");
                }
                String[] labels = labelText.split("\n", -1);
                List<int[]> ids = new ArrayList<>();
                for (Object o : inputs) {
                    int[] e = vocab.encode(o.toString());
                    ids.add(e.length == 0 ? new int[] {vocab.has(Vocabulary.Special.UNK) ? vocab.unkId() : 0} : e);
                }
                double[] p = F.softmax(model.forward(ids)).value().toDoubleArray();
                int c = p.length / inputs.size();
                if (c != labels.length) {
                    throw new ModelFormatException("the model has " + c + " classes but its 'labels' metadata names " + labels.length);
                }
                List<Object> out = new ArrayList<>();
                for (int b = 0; b < inputs.size(); b++) {
                    double[] row = java.util.Arrays.copyOfRange(p, b * c, (b + 1) * c);
                    int best = 0;
                    for (int k = 1; k < c; k++) {
                        if (row[k] > row[best]) {
                            best = k;
                        }
                    }
                    out.add(RowFactory.create(labels[best], best, row[best], toSeq(row)));
                }
                return out;
            }
        };
    }

    private static Object toSeq(double[] row) {
        List<Double> l = new ArrayList<>(row.length);
        for (double d : row) {
            l.add(d);
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
    }
}
