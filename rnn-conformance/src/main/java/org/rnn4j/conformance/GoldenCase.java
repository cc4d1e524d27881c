package org.rnn4j.conformance;

import org.rnn4j.spi.ComputeBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/** One golden reference case: a safetensors file written by PyTorch in float64 (see golden/README.md). */
public record GoldenCase(String name, SafeTensorsFile file) {

    /** Reads a case from a file. */
    public static GoldenCase read(Path path) throws IOException {
        String n = path.getFileName().toString().replaceFirst("\\.safetensors$", "");
        return new GoldenCase(n, SafeTensors.read(path));
    }

    /** Reads a case from a stream (a class-path resource). */
    public static GoldenCase read(String name, InputStream in) throws IOException {
        return new GoldenCase(name, SafeTensors.read(in, name + ".safetensors"));
    }

    /** {@code __metadata__.kind}. */
    public String kind() {
        return meta("kind");
    }

    /** A metadata value; a missing key fails naming the case. */
    public String meta(String key) {
        String v = file.metadata().get(key);
        if (v == null) {
            throw new IllegalArgumentException("golden case " + name + " lacks metadata '" + key + "'");
        }
        return v;
    }

    /** A metadata value or {@code fallback} when absent. */
    public String meta(String key, String fallback) {
        return file.metadata().getOrDefault(key, fallback);
    }

    public Map<String, String> metadata() {
        return file.metadata();
    }

    public int metaInt(String key) {
        return Integer.parseInt(meta(key));
    }

    public boolean metaBool(String key) {
        return Boolean.parseBoolean(meta(key));
    }

    public boolean has(String tensor) {
        return file.has(tensor);
    }

    public HostTensor host(String tensor) {
        return file.tensor(tensor);
    }

    public double[] doubles(String tensor) {
        return host(tensor).asDoubles();
    }

    public int[] ints(String tensor) {
        return host(tensor).asInts();
    }

    public int[] shape(String tensor) {
        return host(tensor).shape();
    }

    /** The tensor on {@code backend} in {@code dtype}. */
    public Tensor tensor(String tensor, ComputeBackend backend, DType dtype) {
        return host(tensor).toTensor(backend, dtype);
    }

    @Override
    public String toString() {
        return name;
    }
}
