package org.rnn4j.optim;

import org.rnn4j.spi.ComputeBackend;

import java.util.Collection;
import java.util.List;
import org.rnn4j.autograd.Var;
import org.rnn4j.tensor.Tensor;

/** The update shared by {@link Adam} (L2 weight decay added to the gradient) and {@link AdamW} (decoupled). */
public abstract class AdamBase extends OptimizerBase {
    static final String M = "exp_avg";
    static final String V = "exp_avg_sq";
    static final String VMAX = "max_exp_avg_sq";

    double beta1;
    final double beta2;
    final double eps;
    final double weightDecay;
    final boolean amsgrad;
    final boolean maximize;
    private final boolean decoupled;

    AdamBase(String kind, Settings<?, ?> s, boolean decoupled) {
        super(kind, s.params, s.lr);
        this.beta1 = checkBeta(kind, "beta1", s.beta1);
        this.beta2 = checkBeta(kind, "beta2", s.beta2);
        this.eps = checkNonNegative(kind, "eps", s.eps);
        this.weightDecay = checkNonNegative(kind, "weightDecay", s.weightDecay);
        this.amsgrad = s.amsgrad;
        this.maximize = s.maximize;
        this.decoupled = decoupled;
    }

    /**
     * The hyper-parameters {@link Adam} and {@link AdamW} share, with PyTorch's defaults; they differ
     * only in how weight decay acts (and AdamW's default of 0.01).
     *
     * @param <B> the concrete builder, returned by every setter
     * @param <O> the optimizer it builds
     */
    public abstract static class Settings<B extends Settings<B, O>, O extends Optimizer> {
        final Collection<Var> params;
        double lr = 1e-3;
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double weightDecay;
        boolean amsgrad;
        boolean maximize;

        Settings(Collection<Var> params, double defaultWeightDecay) {
            this.params = params;
            this.weightDecay = defaultWeightDecay;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Learning rate, {@code >= 0} (default 1e-3). */
        public B lr(double lr) {
            this.lr = lr;
            return self();
        }

        /** Decay rates of the first and second moment estimates, each in {@code [0, 1)} (default 0.9, 0.999). */
        public B betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return self();
        }

        /** Term added to the denominator, {@code >= 0} (default 1e-8). */
        public B eps(double eps) {
            this.eps = eps;
            return self();
        }

        /** Weight decay, {@code >= 0}: L2 added to the gradient for Adam, decoupled for AdamW. */
        public B weightDecay(double weightDecay) {
            this.weightDecay = weightDecay;
            return self();
        }

        /** Use the maximum of past second moments (AMSGrad; default false). */
        public B amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return self();
        }

        /** Maximize the objective instead of minimizing (default false). */
        public B maximize(boolean maximize) {
            this.maximize = maximize;
            return self();
        }

        /** The optimizer; validates every hyper-parameter and the parameters. */
        public abstract O build();
    }

    @Override
    final void update(int i, Var p, Tensor g, State st) {
        ComputeBackend k = ComputeBackend.of(p.backend());
        Tensor pv = ownedValue(p, st);
        st.step++;
        // temporaries are closed as soon as they are used, so that their memory is reused (the cpu backend's pool)
        Tensor grad = maximize ? k.scale(g, -1) : g;
        double decay = 1;
        if (decoupled) {
            decay = 1 - lr * weightDecay;
        } else if (weightDecay != 0) {
            Tensor decayed = k.addScaled(grad, pv, weightDecay);
            if (grad != g) {
                grad.close();
            }
            grad = decayed;
        }
        Tensor m = st.get(M);
        Tensor v = st.get(V);
        k.addScaledInPlace(m, beta1, grad, 1 - beta1);
        Tensor squared = k.mul(grad, grad);
        k.addScaledInPlace(v, beta2, squared, 1 - beta2);
        squared.close();
        if (grad != g) {
            grad.close();
        }
        double step = st.step;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        double bc2Sqrt = Math.sqrt(bc2);
        Tensor second = v;
        if (amsgrad) {
            second = k.maximum(st.get(VMAX), v);
            st.put(VMAX, second);
        }
        Tensor root = k.sqrt(second);
        Tensor scaled = k.scale(root, 1.0 / bc2Sqrt);
        root.close();
        Tensor denom = k.addScalar(scaled, eps);
        scaled.close();
        Tensor ratio = k.div(m, denom);
        denom.close();
        k.addScaledInPlace(pv, decay, ratio, -stepSize);
        ratio.close();
    }

    /** Adam's momentum coefficient is {@code beta1}. */
    @Override
    public final boolean hasMomentum() {
        return true;
    }

    /** The current {@code beta1}. */
    @Override
    public final double momentum() {
        return beta1;
    }

    /**
     * Sets {@code beta1}, in {@code [0, 1)}; later steps use it in the moment update and the bias
     * correction {@code 1 - beta1^step}, as PyTorch does when a schedule changes {@code betas[0]}.
     */
    @Override
    public final void setMomentum(double beta1) {
        this.beta1 = checkBeta(kind, "beta1", beta1);
    }

    @Override
    final State newState(Var p) {
        State st = new State();
        st.put(M, zerosLike(p));
        st.put(V, zerosLike(p));
        if (amsgrad) {
            st.put(VMAX, zerosLike(p));
        }
        return st;
    }

    @Override
    final List<String> stateNames() {
        return amsgrad ? List.of(STEP, M, V, VMAX) : List.of(STEP, M, V);
    }

    @Override
    final String describe() {
        return kind + "(lr=" + lr + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps + ", weightDecay=" + weightDecay
                + ", amsgrad=" + amsgrad + (maximize ? ", maximize" : "") + ")";
    }
}
