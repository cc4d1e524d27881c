package org.rnn4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Module;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Shapes;
import org.rnn4j.tensor.Tensor;

/**
 * Where each named tensor lies in a {@link Flat} vector: the names in order, their shapes and offsets,
 * and the precision. Built from a model's trainable parameters on the driver and shipped to the
 * executors, where it moves weights into a replica and gradients out of it.
 */
public final class ParamLayout implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String[] names;
    private final int[][] shapes;
    private final int[] offsets;
    private final int length;
    private final boolean float64;

    private ParamLayout(String[] names, int[][] shapes, boolean float64) {
        this.names = names;
        this.shapes = shapes;
        this.float64 = float64;
        this.offsets = new int[names.length];
        long n = 0;
        for (int i = 0; i < names.length; i++) {
            offsets[i] = (int) n;
            n += Shapes.size(shapes[i]);
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("ParamLayout: more than 2^31 numbers (at '" + names[i] + "'); too large for one vector");
            }
        }
        this.length = (int) n;
    }

    /**
     * The layout of {@code model}'s trainable parameters ({@link Module#trainableParameters()}, in their
     * order); all must be of one dtype.
     *
     * @throws IllegalArgumentException when the model has no trainable parameter or mixes dtypes, naming the parameter
     */
    public static ParamLayout of(Module model) {
        Map<String, Var> params = model.trainableParameters();
        if (params.isEmpty()) {
            throw new IllegalArgumentException("rnn-spark: the model " + model.typeName() + " has no trainable parameter; nothing to train");
        }
        Map<String, Tensor> values = new LinkedHashMap<>();
        params.forEach((k, v) -> values.put(k, v.value()));
        return of(values);
    }

    /** The layout of named tensors (all of one dtype), in the map's order. */
    public static ParamLayout of(Map<String, Tensor> tensors) {
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        DType dtype = null;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            DType d = e.getValue().dtype();
            if (d != DType.FLOAT32 && d != DType.FLOAT64) {
                throw new IllegalArgumentException("rnn-spark: tensor '" + e.getKey() + "' is " + d + "; expected FLOAT32 or FLOAT64");
            }
            if (dtype != null && d != dtype) {
                throw new IllegalArgumentException("rnn-spark: tensor '" + e.getKey() + "' is " + d + " but the ones before it are " + dtype
                        + "; expected one dtype for the whole model");
            }
            dtype = d;
            names.add(e.getKey());
            shapes.add(e.getValue().shape().clone());
        }
        return new ParamLayout(names.toArray(new String[0]), shapes.toArray(new int[0][]), dtype == DType.FLOAT64);
    }

    /** The tensor names, in order. */
    public List<String> names() {
        return List.of(names);
    }

    /** Total number of elements. */
    public int length() {
        return length;
    }

    /** Whether the vectors are float64 (else float32). */
    public boolean isFloat64() {
        return float64;
    }

    /** The dtype of the tensors. */
    public DType dtype() {
        return float64 ? DType.FLOAT64 : DType.FLOAT32;
    }

    /** Shape of tensor {@code i}. */
    public int[] shape(int i) {
        return shapes[i].clone();
    }

    /** The values of {@code tensors} (by this layout's names) as one vector. */
    public Flat flatten(Map<String, Tensor> tensors) {
        Flat out = Flat.zeros(length, float64);
        for (int i = 0; i < names.length; i++) {
            Tensor t = tensors.get(names[i]);
            if (t == null) {
                throw new IllegalArgumentException("rnn-spark: no tensor '" + names[i] + "'; expected the names " + names());
            }
            checkShape(i, t.shape());
            if (float64) {
                out.put(offsets[i], t.toDoubleArray());
            } else {
                out.put(offsets[i], t.toFloatArray());
            }
        }
        return out;
    }

    /** The values of {@code model}'s parameters (by this layout's names) as one vector. */
    public Flat values(Module model) {
        Map<String, Var> params = model.parameters();
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (String n : names) {
            Var v = params.get(n);
            if (v == null) {
                throw new IllegalArgumentException("rnn-spark: the model has no parameter '" + n + "'; expected the names " + names());
            }
            values.put(n, v.value());
        }
        return flatten(values);
    }

    /** The accumulated gradients of {@code model}'s parameters as one vector (zeros where a parameter has none). */
    public Flat gradients(Module model) {
        Map<String, Var> params = model.parameters();
        Flat out = Flat.zeros(length, float64);
        for (int i = 0; i < names.length; i++) {
            Tensor g = params.get(names[i]).grad();
            if (g == null) {
                continue;
            }
            if (float64) {
                out.put(offsets[i], g.toDoubleArray());
            } else {
                out.put(offsets[i], g.toFloatArray());
            }
        }
        return out;
    }

    /** Replaces the values of {@code model}'s parameters by {@code values} (each parameter keeps its backend). */
    public void load(Module model, Flat values) {
        check(values);
        Map<String, Var> params = model.parameters();
        for (int i = 0; i < names.length; i++) {
            Var p = params.get(names[i]);
            p.set(tensor(p.backend(), values, i));
        }
    }

    /** Sets the gradient of each of {@code model}'s parameters to {@code gradients} times {@code scale}. */
    public void setGradients(Module model, Flat gradients, double scale) {
        check(gradients);
        Map<String, Var> params = model.parameters();
        for (int i = 0; i < names.length; i++) {
            Var p = params.get(names[i]);
            double[] g = gradients.slice(offsets[i], Shapes.size(shapes[i]));
            if (scale != 1.0) {
                for (int k = 0; k < g.length; k++) {
                    g[k] *= scale;
                }
            }
            p.setGrad(p.backend().fromDoubles(g, p.dtype(), shapes[i]));
        }
    }

    /** Tensor {@code i} of {@code values} on {@code backend}. */
    public Tensor tensor(Backend backend, Flat values, int i) {
        int n = Shapes.size(shapes[i]);
        return float64 ? backend.fromDoubles(values.slice(offsets[i], n), DType.FLOAT64, shapes[i])
                : backend.fromFloats(values.sliceFloats(offsets[i], n), DType.FLOAT32, shapes[i]);
    }

    /** Every tensor of {@code values} by name, on {@code backend}. */
    public Map<String, Tensor> tensors(Backend backend, Flat values) {
        check(values);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            out.put(names[i], tensor(backend, values, i));
        }
        return out;
    }

    /** Checks that {@code model}'s trainable parameters have exactly this layout. */
    public void checkFits(Module model) {
        ParamLayout other = of(model);
        if (!Arrays.equals(names, other.names) || float64 != other.float64 || !Arrays.deepEquals(shapes, other.shapes)) {
            throw new IllegalStateException("rnn-spark: the replica built on the executor has trainable parameters " + other.describe()
                    + " but the driver's model has " + describe() + "; the model factory must build the same model everywhere");
        }
    }

    private String describe() {
        StringBuilder sb = new StringBuilder(float64 ? "FLOAT64 {" : "FLOAT32 {");
        for (int i = 0; i < names.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(names[i]).append(Shapes.str(shapes[i]));
        }
        return sb.append('}').toString();
    }

    private void check(Flat v) {
        if (v.length() != length || v.isFloat64() != float64) {
            throw new IllegalArgumentException("rnn-spark: a vector of " + v.length() + (v.isFloat64() ? " float64" : " float32")
                    + " numbers does not fit the layout of " + length + (float64 ? " float64" : " float32") + " numbers");
        }
    }

    private void checkShape(int i, int[] shape) {
        if (!Arrays.equals(shape, shapes[i])) {
            throw new IllegalArgumentException("rnn-spark: tensor '" + names[i] + "' has shape " + Shapes.str(shape) + ", expected "
                    + Shapes.str(shapes[i]));
        }
    }
}
