package org.rnn4j.data;

import java.util.List;
import java.util.Objects;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/**
 * Sliding windows over a time series, for forecasting: window {@code i} starts at step
 * {@code s = i * stride}; its inputs are steps {@code [s, s + window)} (every feature) and its targets
 * are the {@code horizon} steps right after them, {@code [s + window, s + window + horizon)} (the
 * target columns). A series of {@code N} steps gives {@code (N - window - horizon) / stride + 1}
 * windows. As a {@link Dataset} it hands out one {@link Window} per index; {@link #collate} and
 * {@link #all()} stack windows into {@code [n, window, F]} inputs and {@code [n, horizon, C]} targets.
 *
 * <p>The series is copied at construction; nothing modifies it afterwards.
 */
public final class SlidingWindows implements Dataset<SlidingWindows.Window> {

    /**
     * One window.
     *
     * @param start the series step of {@code inputs[0]}
     * @param inputs {@code [window][F]}: steps {@code [start, start + window)}
     * @param targets {@code [horizon][C]}: the target columns of steps
     *     {@code [start + window, start + window + horizon)}
     */
    public record Window(int start, double[][] inputs, double[][] targets) {
    }

    /**
     * Windows stacked for a model, row-major.
     *
     * @param inputs {@code [n*window*F]}: feature {@code f} of step {@code t} of window {@code i} at
     *     {@code (i*window + t)*F + f}
     * @param targets {@code [n*horizon*C]}: column {@code c} of step {@code h} of window {@code i} at
     *     {@code (i*horizon + h)*C + c}
     * @param size n, the number of windows
     * @param window steps per input window
     * @param features F, features per input step
     * @param horizon steps per target
     * @param targetFeatures C, target columns per step
     */
    public record Batch(double[] inputs, double[] targets, int size, int window, int features, int horizon, int targetFeatures) {

        /** The inputs as a new tensor {@code [n, window, F]} of {@code dtype} on {@code backend}. */
        public Tensor inputTensor(Backend backend, DType dtype) {
            return backend.fromDoubles(inputs, dtype, size, window, features);
        }

        /** The targets as a new tensor {@code [n, horizon, C]} of {@code dtype} on {@code backend}. */
        public Tensor targetTensor(Backend backend, DType dtype) {
            return backend.fromDoubles(targets, dtype, size, horizon, targetFeatures);
        }
    }

    private final double[][] series;
    private final int window;
    private final int horizon;
    private final int stride;
    private final int[] targetColumns;
    private final int count;

    private SlidingWindows(double[][] series, int window, int horizon, int stride, int[] targetColumns) {
        this.series = series;
        this.window = window;
        this.horizon = horizon;
        this.stride = stride;
        this.targetColumns = targetColumns;
        this.count = (series.length - window - horizon) / stride + 1;
    }

    /**
     * Windows over a univariate series ({@code F = C = 1}).
     *
     * @param series the values, one per step; copied
     * @param window input steps per window, {@code >= 1}
     * @param horizon target steps per window, {@code >= 1}
     * @param stride steps between window starts, {@code >= 1}
     * @throws IllegalArgumentException naming the argument: a setting below 1, a non-finite value, or a
     *     series shorter than {@code window + horizon}
     */
    public static SlidingWindows of(double[] series, int window, int horizon, int stride) {
        Objects.requireNonNull(series, "series");
        double[][] s = new double[series.length][];
        for (int t = 0; t < series.length; t++) {
            s[t] = new double[] {series[t]};
        }
        return of(s, window, horizon, stride);
    }

    /**
     * Windows over a multivariate series {@code [N][F]}.
     *
     * @param series {@code [N][F]}, every row {@code F >= 1} finite values; copied
     * @param targetColumns the feature columns the targets hold, each in {@code [0, F)}; none for all
     *     {@code F} columns
     * @throws IllegalArgumentException naming the argument: a setting below 1, a ragged or non-finite
     *     series, a target column out of range, or a series shorter than {@code window + horizon}
     * @see #of(double[], int, int, int)
     */
    public static SlidingWindows of(double[][] series, int window, int horizon, int stride, int... targetColumns) {
        Objects.requireNonNull(series, "series");
        Objects.requireNonNull(targetColumns, "targetColumns");
        if (window < 1) {
            throw new IllegalArgumentException("window = " + window + ", expected >= 1");
        }
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon = " + horizon + ", expected >= 1");
        }
        if (stride < 1) {
            throw new IllegalArgumentException("stride = " + stride + ", expected >= 1");
        }
        if (series.length < (long) window + horizon) {
            throw new IllegalArgumentException("series has " + series.length + " steps, fewer than window + horizon = " + window + " + "
                    + horizon + " = " + ((long) window + horizon) + " needed for one window");
        }
        int features = -1;
        double[][] copy = new double[series.length][];
        for (int t = 0; t < series.length; t++) {
            double[] row = series[t];
            if (row == null) {
                throw new IllegalArgumentException("series[" + t + "] is null");
            }
            if (features < 0) {
                if (row.length < 1) {
                    throw new IllegalArgumentException("series[0] has no features, expected >= 1");
                }
                features = row.length;
            } else if (row.length != features) {
                throw new IllegalArgumentException("series[" + t + "] has " + row.length + " features but series[0] has " + features);
            }
            for (int f = 0; f < features; f++) {
                if (!Double.isFinite(row[f])) {
                    throw new IllegalArgumentException("series[" + t + "][" + f + "] = " + row[f] + ", expected a finite value");
                }
            }
            copy[t] = row.clone();
        }
        int[] cols = targetColumns;
        if (cols.length == 0) {
            cols = new int[features];
            for (int f = 0; f < features; f++) {
                cols[f] = f;
            }
        } else {
            cols = cols.clone();
            for (int k = 0; k < cols.length; k++) {
                if (cols[k] < 0 || cols[k] >= features) {
                    throw new IllegalArgumentException("targetColumns[" + k + "] = " + cols[k] + ", expected a column in [0, " + features + ")");
                }
            }
        }
        return new SlidingWindows(copy, window, horizon, stride, cols);
    }

    /** Number of windows, {@code (N - window - horizon) / stride + 1}. */
    @Override
    public int size() {
        return count;
    }

    /** The series step where window {@code index}'s inputs begin: {@code index * stride}. */
    public int start(int index) {
        Objects.checkIndex(index, count);
        return index * stride;
    }

    /** Window {@code index}, in new arrays. */
    @Override
    public Window get(int index) {
        int s = start(index);
        double[][] in = new double[window][];
        for (int t = 0; t < window; t++) {
            in[t] = series[s + t].clone();
        }
        double[][] tg = new double[horizon][targetColumns.length];
        for (int h = 0; h < horizon; h++) {
            double[] row = series[s + window + h];
            for (int c = 0; c < targetColumns.length; c++) {
                tg[h][c] = row[targetColumns[c]];
            }
        }
        return new Window(s, in, tg);
    }

    /** Input steps per window. */
    public int window() {
        return window;
    }

    /** Target steps per window. */
    public int horizon() {
        return horizon;
    }

    /** Steps between window starts. */
    public int stride() {
        return stride;
    }

    /** F, features per input step. */
    public int features() {
        return series[0].length;
    }

    /** C, columns per target step. */
    public int targetFeatures() {
        return targetColumns.length;
    }

    /** Every window stacked in index order. */
    public Batch all() {
        return collate(toList());
    }

    /**
     * Stacks windows (all of one shape, e.g. from one {@code SlidingWindows}) into a {@link Batch};
     * usable as a {@link DataLoader} collate function.
     *
     * @throws IllegalArgumentException when {@code windows} is empty or the windows' shapes differ
     */
    public static Batch collate(List<Window> windows) {
        Objects.requireNonNull(windows, "windows");
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("windows is empty; a batch needs at least one window");
        }
        Window first = windows.get(0);
        int w = first.inputs().length;
        int f = first.inputs()[0].length;
        int h = first.targets().length;
        int c = first.targets()[0].length;
        int n = windows.size();
        double[] in = new double[n * w * f];
        double[] tg = new double[n * h * c];
        for (int i = 0; i < n; i++) {
            Window x = windows.get(i);
            if (x.inputs().length != w || x.targets().length != h) {
                throw new IllegalArgumentException("windows[" + i + "] has " + x.inputs().length + " input steps and " + x.targets().length
                        + " target steps, but windows[0] has " + w + " and " + h);
            }
            for (int t = 0; t < w; t++) {
                if (x.inputs()[t].length != f) {
                    throw new IllegalArgumentException("windows[" + i + "].inputs()[" + t + "] has " + x.inputs()[t].length
                            + " features, expected " + f);
                }
                System.arraycopy(x.inputs()[t], 0, in, (i * w + t) * f, f);
            }
            for (int k = 0; k < h; k++) {
                if (x.targets()[k].length != c) {
                    throw new IllegalArgumentException("windows[" + i + "].targets()[" + k + "] has " + x.targets()[k].length
                            + " columns, expected " + c);
                }
                System.arraycopy(x.targets()[k], 0, tg, (i * h + k) * c, c);
            }
        }
        return new Batch(in, tg, n, w, f, h, c);
    }
}
