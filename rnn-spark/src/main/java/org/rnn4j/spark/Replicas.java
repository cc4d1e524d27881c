package org.rnn4j.spark;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rnn4j.nn.Module;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.train.Trainer;

/**
 * The replicas of one executor JVM: built by the run's {@link ModelFactory} (and {@link OptimizerFactory}
 * where the executors update) the first time a task of the run needs one, then reused by the run's later
 * tasks. Modules are not thread-safe, so each concurrent task takes a replica of its own from the pool
 * and gives it back. Only the most recent runs keep their pools.
 */
final class Replicas {
    private static final int RUNS_KEPT = 4;
    private static final Map<String, Deque<Replica<?>>> POOLS = new LinkedHashMap<>(16, 0.75f, true);

    /** A model replica, with an optimizer and a trainer when the executors update. */
    static final class Replica<M extends Module> {
        final M model;
        final Optimizer optimizer;
        final Trainer trainer;

        Replica(M model, Optimizer optimizer, double clipNorm) {
            this.model = model;
            this.optimizer = optimizer;
            this.trainer = optimizer == null ? null : new Trainer(model, optimizer).clipNorm(clipNorm);
        }
    }

    private Replicas() {
    }

    /** A replica of run {@code run}: a pooled one, or a new one checked against {@code layout}. */
    @SuppressWarnings("unchecked")
    static <M extends Module> Replica<M> take(String run, ModelFactory<M> factory, OptimizerFactory optimizer, ParamLayout layout,
            java.util.List<String> frozen, double clipNorm) {
        synchronized (POOLS) {
            Deque<Replica<?>> pool = POOLS.get(run);
            if (pool != null && !pool.isEmpty()) {
                return (Replica<M>) pool.pop();
            }
        }
        M model = factory.create();
        if (model == null) {
            throw new IllegalStateException("rnn-spark: the model factory returned null on the executor");
        }
        Map<String, org.rnn4j.autograd.Var> params = model.parameters();
        for (String name : frozen) {
            org.rnn4j.autograd.Var v = params.get(name);
            if (v != null) {
                v.setRequiresGrad(false);
            }
        }
        layout.checkFits(model);
        Optimizer opt = optimizer == null ? null : optimizer.create(model.trainableParameters().values());
        return new Replica<>(model, opt, clipNorm);
    }

    /** Returns {@code replica} to run {@code run}'s pool. */
    static void give(String run, Replica<?> replica) {
        synchronized (POOLS) {
            POOLS.computeIfAbsent(run, k -> new ArrayDeque<>()).push(replica);
            Iterator<String> it = POOLS.keySet().iterator();
            while (POOLS.size() > RUNS_KEPT && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
    }
}
