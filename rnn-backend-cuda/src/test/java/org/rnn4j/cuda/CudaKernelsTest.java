package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.rnn4j.backend.Backends;
import org.rnn4j.spi.Availability;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;
import org.rnn4j.tensor.Tensors;

/**
 * {@link KernelChecks} on the GPU, plus the GPU-only TF32 tensor-core product; skips with the availability
 * reason where there is no usable GPU (as on this project's build machines).
 */
class CudaKernelsTest extends KernelChecks {

    static CudaBackend gpu() {
        Availability a = new CudaBackendProvider().availability();
        if (!a.available()) {
            System.out.println("[CudaKernelsTest] skipping: cuda unavailable: " + a.reason());
        }
        Assumptions.assumeTrue(a.available(), () -> "cuda unavailable: " + a.reason());
        return (CudaBackend) Backends.get(CudaBackend.NAME);
    }

    @Override
    CudaBackend backend() {
        return gpu();
    }

    @Test
    void tf32ProductsAreTensorCoreAccurateAndNoMore() {
        gpu();
        CudaRuntime.State s = CudaRuntime.state();
        CudaBackend tf32 = new CudaBackend(CudaBackend.NAME, "tf32 test", JCudaDevice.open(s.device(), s.code()), true, true, 1L << 30);
        try {
            SplittableRandom rng = new SplittableRandom(11);
            for (int[] mnk : new int[][] {{67, 129, 65}, {256, 512, 384}, {5, 33, 17}}) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        int m = mnk[0];
                        int n = mnk[1];
                        int k = mnk[2];
                        double[] a = new double[m * k];
                        double[] b = new double[k * n];
                        for (int i = 0; i < a.length; i++) {
                            a[i] = (float) (rng.nextDouble() * 2 - 1);
                        }
                        for (int i = 0; i < b.length; i++) {
                            b[i] = (float) (rng.nextDouble() * 2 - 1);
                        }
                        Tensor ga = tf32.fromDoubles(a, DType.FLOAT32, ta ? new int[] {k, m} : new int[] {m, k});
                        Tensor gb = tf32.fromDoubles(b, DType.FLOAT32, tb ? new int[] {n, k} : new int[] {k, n});
                        double[] got = tf32.matmul(ga, gb, ta, tb).toDoubleArray();
                        double[] want = new double[m * n];
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double acc = 0;
                                for (int q = 0; q < k; q++) {
                                    acc += (ta ? a[q * m + i] : a[i * k + q]) * (tb ? b[j * k + q] : b[q * n + j]);
                                }
                                want[i * n + j] = acc;
                            }
                        }
                        double err = Tensors.relativeError(got, want);
                        String what = "TF32 " + m + "x" + k + "x" + n + (ta ? " A^T" : "") + (tb ? " B^T" : "");
                        // 10-bit mantissas: about 1e-3 relative; a wrong fragment layout gives O(1)
                        assertTrue(err < 5e-3, () -> what + ": relative error " + err);
                        System.out.println("[CudaKernelsTest] " + what + ": relative error " + err);
                    }
                }
            }
        } finally {
            tf32.close();
        }
    }
}
