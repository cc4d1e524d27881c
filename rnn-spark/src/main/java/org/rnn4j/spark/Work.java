package org.rnn4j.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.rnn4j.autograd.F;
import org.rnn4j.autograd.Var;
import org.rnn4j.nn.Module;
import org.rnn4j.nn.Stochastic;
import org.rnn4j.optim.NonFiniteException;
import org.rnn4j.optim.Optimizer;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;
import org.rnn4j.tensor.Tensor;

/** What the executors run: one partition's gradient for a step, or one partition's round of local steps. */
final class Work {
    private Work() {
    }

    /** The settings every task of a run needs (serialized with each task; small). */
    record Job<M extends Module, T>(String run, ModelFactory<M> model, OptimizerFactory optimizer, ReplicaLoss<M, T> loss,
            ParamLayout layout, List<String> frozen, long seed, int partitions, double clipNorm) implements java.io.Serializable {
    }

    /**
     * The weighted gradient sum of {@code shard}'s share of {@code batch} under {@code replica}'s current
     * weights: {@code weight * grad(loss)} with the loss the mean over the share; an empty contribution
     * when the shard holds none of the batch. Stochastic modules and the loss's random stream are set
     * from (seed, batch number, partition) first, so a retried task computes the same bits.
     */
    static <M extends Module, T> Contribution gradient(Job<M, T> job, Replicas.Replica<M> replica, Shard<T> shard, int[] batch,
            long batchNumber, long fetchNanos) {
        List<T> share = shard.share(batch);
        if (share.isEmpty()) {
            return Contribution.empty(fetchNanos);
        }
        long t0 = System.nanoTime();
        M model = replica.model;
        StepContext ctx = new StepContext(batchNumber, shard.partition, job.seed());
        long draws = ctx.drawBase();
        for (Module m : model.namedModules().values()) {
            if (m instanceof Stochastic s) {
                s.setDrawCount(draws);
            }
        }
        model.train();
        model.zeroGrad();
        double weight = job.loss().weight(share);
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalStateException("rnn-spark: the loss's weight of " + share.size() + " examples is " + weight
                    + " (batch " + batchNumber + ", partition " + shard.partition + "); expected a positive finite number");
        }
        Var loss = job.loss().loss(model, share, ctx);
        if (loss == null || loss.value().size() != 1) {
            throw new IllegalStateException("rnn-spark: the loss returned " + (loss == null ? "null" : "a tensor of shape "
                    + java.util.Arrays.toString(loss.shape())) + "; expected a scalar Var");
        }
        double value = loss.value().item();
        if (!Double.isFinite(value)) {
            throw new NonFiniteException(String.format(Locale.ROOT, "rnn-spark: the loss of batch %d is %s on partition %d (%d examples);"
                    + " lower the learning rate, clip gradients or check the data", batchNumber, value, shard.partition, share.size()), -1);
        }
        F.scale(loss, weight).backward();
        Flat sum = job.layout().gradients(model);
        model.zeroGrad();
        return new Contribution(sum, value * weight, weight, System.nanoTime() - t0, fetchNanos);
    }

    /** The synchronous step's task: load the broadcast weights into a replica and compute the partition's gradient. */
    static <M extends Module, T> Contribution step(Job<M, T> job, Flat weights, long fetchStart, Shard<T> shard, int[] batch, long batchNumber) {
        Replicas.Replica<M> r = Replicas.take(job.run(), job.model(), null, job.layout(), job.frozen(), job.clipNorm());
        try {
            job.layout().load(r.model, weights);
            long fetch = System.nanoTime() - fetchStart;
            return gradient(job, r, shard, batch, batchNumber, fetch);
        } finally {
            Replicas.give(job.run(), r);
        }
    }

    /**
     * A round of local steps on one partition. With {@code barrier}, every step's gradients are gathered
     * from all partitions ({@link BarrierTaskContext#allGather}) and summed in the same fixed order on
     * each, so every replica applies the same update and partition 0 reports the result; otherwise each
     * replica steps on its own share and reports its weights and optimizer state weighted by the
     * examples it saw, for the driver to average.
     */
    static <M extends Module, T> Contribution round(Job<M, T> job, RoundPlan plan, long fetchStart, Shard<T> shard, boolean barrier) {
        Replicas.Replica<M> r = Replicas.take(job.run(), job.model(), job.optimizer(), job.layout(), job.frozen(), job.clipNorm());
        try {
            M model = r.model;
            Optimizer opt = r.optimizer;
            Backend backend = model.trainableParameters().values().iterator().next().backend();
            job.layout().load(model, plan.weights);
            opt.loadState(stateOf(plan.stateLayout, plan.state, plan.counterKeys, plan.counters, backend));
            long fetch = System.nanoTime() - fetchStart;
            long compute = 0;
            int k = plan.batches.length;
            double[] stepLoss = new double[k];
            double[] stepWeight = new double[k];
            double seen = 0;
            BarrierTaskContext ctx = barrier ? BarrierTaskContext.get() : null;
            for (int j = 0; j < k; j++) {
                long t0 = System.nanoTime();
                opt.setLr(plan.lrs[j]);
                if (!Double.isNaN(plan.momenta[j])) {
                    opt.setMomentum(plan.momenta[j]);
                }
                Contribution c = gradient(job, r, shard, plan.batches[j], plan.firstBatch + j, 0);
                if (barrier) {
                    String mine = c.sum == null ? "" : c.weight + " " + c.lossSum + " " + c.sum.toBase64();
                    long tc = System.nanoTime();
                    compute += tc - t0;
                    String[] all = ctx.allGather(mine);
                    t0 = System.nanoTime();
                    fetch += t0 - tc;
                    TreeSum total = new TreeSum(all.length);
                    for (int p = 0; p < all.length; p++) {
                        total.add(p, decode(all[p], job.layout().isFloat64()));
                    }
                    c = total.result();
                }
                if (c.weight > 0) {
                    job.layout().setGradients(model, c.sum, 1.0 / c.weight);
                    r.trainer.update();
                    stepLoss[j] = c.lossSum;
                    stepWeight[j] = c.weight;
                    seen += c.weight;
                }
                compute += System.nanoTime() - t0;
            }
            if (barrier && shard.partition != 0) {
                // every replica holds the same state; partition 0 reports it
                Contribution none = Contribution.empty(fetch);
                none.computeNanos = compute;
                none.partition = shard.partition;
                return none;
            }
            double w = barrier ? 1.0 : seen;
            Map<String, Tensor> state = opt.state();
            Map<String, Tensor> buffers = new LinkedHashMap<>();
            List<String> counterKeys = new ArrayList<>();
            List<Long> counters = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                if (e.getKey().endsWith(".step")) {
                    counterKeys.add(e.getKey());
                    counters.add((long) e.getValue().item());
                } else {
                    buffers.put(e.getKey(), e.getValue());
                }
            }
            ParamLayout stateLayout = buffers.isEmpty() ? null : ParamLayout.of(buffers);
            Flat weights = job.layout().values(model);
            Flat stateValues = stateLayout == null ? Flat.zeros(0, job.layout().isFloat64()) : stateLayout.flatten(buffers);
            Flat both = Flat.zeros(weights.length() + stateValues.length(), job.layout().isFloat64());
            both.put(0, weights.slice(0, weights.length()));
            both.put(weights.length(), stateValues.slice(0, stateValues.length()));
            Contribution out = new Contribution(w > 0 ? both.scaleInPlace(w) : null, 0, w, compute, fetch);
            if (w == 0) {
                out.sum = null;
            }
            out.partition = shard.partition;
            out.stepLoss = stepLoss;
            out.stepWeight = stepWeight;
            out.stateLayout = w > 0 ? stateLayout : null;
            out.counterKeys = counterKeys.toArray(new String[0]);
            out.counters = counters.stream().mapToLong(Long::longValue).toArray();
            if (w == 0) {
                out.counterKeys = null;
                out.counters = null;
            }
            return out;
        } finally {
            Replicas.give(job.run(), r);
        }
    }

    /** An optimizer state map from its flat form (an empty map when there is none yet). */
    static Map<String, Tensor> stateOf(ParamLayout layout, Flat values, String[] counterKeys, long[] counters, Backend backend) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        if (layout != null) {
            state.putAll(layout.tensors(backend, values));
        }
        if (counterKeys != null) {
            DType dt = backend.supports(DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
            for (int i = 0; i < counterKeys.length; i++) {
                state.put(counterKeys[i], backend.fromDoubles(new double[] {counters[i]}, dt));
            }
        }
        return state;
    }

    private static Contribution decode(String message, boolean float64) {
        if (message.isEmpty()) {
            return Contribution.empty(0);
        }
        String[] parts = message.split(" ", 3);
        double weight = Double.parseDouble(parts[0]);
        double lossSum = Double.parseDouble(parts[1]);
        return new Contribution(Flat.fromBase64(parts[2], float64), lossSum, weight, 0, 0);
    }
}
