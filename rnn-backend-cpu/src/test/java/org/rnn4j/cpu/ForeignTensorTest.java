package org.rnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/** Tensors of another backend instance are rejected with a message naming both backends (from AbstractBackend). */
class ForeignTensorTest {
    private final CpuBackend be = new CpuBackend(new BackendOptions(1));

    @Test
    void tensorOfAnotherCpuInstanceIsRejected() {
        Tensor mine = be.zeros(DType.FLOAT32, 2);
        Tensor theirs = new CpuBackend(new BackendOptions(1)).zeros(DType.FLOAT32, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.add(mine, theirs));
        assertTrue(e.getMessage().contains("argument 'b' belongs to backend 'cpu'") && e.getMessage().contains("runs on backend 'cpu'")
                && e.getMessage().contains("Tensors.to"), e.getMessage());
    }

    @Test
    void tensorOfAnotherBackendIsRejected() {
        Backend other = (Backend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> "other";
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Tensor foreign = new Tensor() {
            @Override
            public Backend backend() {
                return other;
            }

            @Override
            public int[] shape() {
                return new int[] {2};
            }

            @Override
            public DType dtype() {
                return DType.FLOAT32;
            }

            @Override
            public double[] toDoubleArray() {
                return new double[2];
            }

            @Override
            public float[] toFloatArray() {
                return new float[2];
            }

            @Override
            public void close() {
            }

            @Override
            public boolean isClosed() {
                return false;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> be.relu(foreign));
        assertTrue(e.getMessage().contains("'other'") && e.getMessage().contains("'cpu'"), e.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                () -> be.matmul(be.zeros(DType.FLOAT32, 1, 2), foreign, false, true));
        assertTrue(m.getMessage().contains("'other'") && m.getMessage().contains("'cpu'"), m.getMessage());
    }
}
