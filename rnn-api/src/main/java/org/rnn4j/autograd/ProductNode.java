package org.rnn4j.autograd;

import org.rnn4j.spi.ComputeBackend;
import org.rnn4j.tensor.Tensor;

/**
 * The node of {@link F#matmul}: the gradient of each factor is itself a matrix product, which
 * {@link Var#backward} adds into the gradient summed so far with one
 * {@link ComputeBackend#matmulAccumulate} instead of a product and a separate sum (a weight used at every
 * step of a sequence gets its gradient accumulated this way).
 */
final class ProductNode extends Node {
    private final Var a;
    private final Var b;
    private final Tensor av;
    private final Tensor bv;
    private final boolean transposeA;
    private final boolean transposeB;

    ProductNode(Var a, Var b, boolean transposeA, boolean transposeB) {
        super("matmul", 1, a, b);
        this.a = a;
        this.b = b;
        this.av = a.value();
        this.bv = b.value();
        this.transposeA = transposeA;
        this.transposeB = transposeB;
    }

    @Override
    protected Tensor[] backward(Tensor[] outputGradients) {
        Tensor g = outputGradients[0];
        return new Tensor[] {gradient(0, g, null), gradient(1, g, null)};
    }

    /**
     * The gradient of input {@code input} (0 for a, 1 for b) given the output gradient {@code g}, plus
     * {@code into} (the gradient summed so far, or null); null when that input needs no gradient.
     */
    Tensor gradient(int input, Tensor g, Tensor into) {
        if (input == 0) {
            if (!a.requiresGrad()) {
                return null;
            }
            return transposeA ? product(into, bv, g, transposeB, true) : product(into, g, bv, false, !transposeB);
        }
        if (!b.requiresGrad()) {
            return null;
        }
        return transposeB ? product(into, g, av, true, transposeA) : product(into, av, g, !transposeA, false);
    }

    private static Tensor product(Tensor into, Tensor x, Tensor y, boolean tx, boolean ty) {
        ComputeBackend k = ComputeBackend.of(x);
        return into == null ? k.matmul(x, y, tx, ty) : k.matmulAccumulate(into, x, y, tx, ty, 1, 1);
    }
}
