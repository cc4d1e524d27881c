package org.rnn4j.metrics;

import java.util.Arrays;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Regression errors over batches of (prediction, target) pairs: RMSE {@code sqrt(mean((y' - y)^2))}, MAE
 * {@code mean(|y' - y|)} and MAPE {@code mean(|y' - y| / max(|y|, eps))} with {@code eps} the double
 * machine epsilon, as scikit-learn's {@code mean_absolute_percentage_error} (a fraction: 0.05 is 5 %;
 * targets at or near 0 make it huge, as in sklearn). Units are those of the targets (MAPE has none).
 */
public final class RegressionMetrics {
    /** scikit-learn's floor on |y| in MAPE ({@code np.finfo(np.float64).eps}). */
    public static final double MAPE_EPS = Math.ulp(1.0);

    private long count;
    private double squared;
    private double absolute;
    private double percentage;

    /**
     * Adds pairs.
     *
     * @param predicted predictions; not modified
     * @param target targets of the same length, finite; not modified
     */
    public void update(double[] predicted, double[] target) {
        if (predicted == null || target == null) {
            throw new IllegalArgumentException("RegressionMetrics.update: " + (predicted == null ? "predicted" : "target") + " is null");
        }
        if (predicted.length != target.length) {
            throw new IllegalArgumentException("RegressionMetrics.update: predicted has " + predicted.length + " values but target has "
                    + target.length + "; expected one target per prediction");
        }
        for (int i = 0; i < target.length; i++) {
            if (!Double.isFinite(target[i]) || Double.isNaN(predicted[i])) {
                throw new IllegalArgumentException("RegressionMetrics.update: pair " + i + " is (predicted " + predicted[i] + ", target "
                        + target[i] + "); expected a finite target and a prediction that is not NaN");
            }
        }
        for (int i = 0; i < target.length; i++) {
            double e = Math.abs(predicted[i] - target[i]);
            squared += e * e;
            absolute += e;
            percentage += e / Math.max(Math.abs(target[i]), MAPE_EPS);
        }
        count += target.length;
    }

    /** Adds pairs given as tensors of one shape (any rank); copied to the host, not modified. */
    public void update(Tensor predicted, Tensor target) {
        if (predicted == null || target == null) {
            throw new IllegalArgumentException("RegressionMetrics.update: " + (predicted == null ? "predicted" : "target") + " is null");
        }
        if (!Arrays.equals(predicted.shape(), target.shape())) {
            throw new IllegalArgumentException("RegressionMetrics.update: predicted has shape " + Shapes.str(predicted.shape())
                    + " but target has shape " + Shapes.str(target.shape()) + "; expected equal shapes");
        }
        update(predicted.toDoubleArray(), target.toDoubleArray());
    }

    /** Pairs accumulated. */
    public long count() {
        return count;
    }

    private void nonEmpty() {
        if (count == 0) {
            throw new IllegalStateException("RegressionMetrics: no pairs accumulated");
        }
    }

    /** Root mean squared error. */
    public double rmse() {
        nonEmpty();
        return Math.sqrt(squared / count);
    }

    /** Mean squared error. */
    public double mse() {
        nonEmpty();
        return squared / count;
    }

    /** Mean absolute error. */
    public double mae() {
        nonEmpty();
        return absolute / count;
    }

    /** Mean absolute percentage error, as a fraction. */
    public double mape() {
        nonEmpty();
        return percentage / count;
    }

    /** Forgets everything accumulated. */
    public void reset() {
        count = 0;
        squared = 0;
        absolute = 0;
        percentage = 0;
    }
}
