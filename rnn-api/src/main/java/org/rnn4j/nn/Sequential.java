package org.rnn4j.nn;

import java.util.Map;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.rnn4j.autograd.Var;

/**
 * PyTorch's {@code nn.Sequential}: modules applied one after another, each module's output the next
 * one's input. Children are named {@code "0"}, {@code "1"}, ... unless named explicitly with
 * {@link #add(String, Module)}, so parameters read {@code 0.weight}, {@code 2.bias} as in PyTorch.
 */
public final class Sequential extends Module implements Layer {
    private final List<Layer> layers = new ArrayList<>();

    /**
     * A chain of {@code modules}, named {@code "0"}, {@code "1"}, ...; each must be a {@link Module}
     * implementing {@link Layer}.
     */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code module} under the next index as its name; returns this. */
    public Sequential add(Module module) {
        return add(Integer.toString(layers.size()), module);
    }

    /**
     * Appends {@code module} under {@code name}; returns this.
     *
     * @throws IllegalArgumentException when the module is null, is not a {@link Layer}, or the name is taken
     */
    public Sequential add(String name, Module module) {
        if (!(module instanceof Layer layer)) {
            throw new IllegalArgumentException("Sequential.add: module '" + name + "' is "
                    + (module == null ? "null" : module.typeName() + ", which does not implement Layer (one input, one output)"));
        }
        registerModule(name, module);
        layers.add(layer);
        return this;
    }

    /** The chained modules in order; unmodifiable. */
    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /** Number of chained modules. */
    public int size() {
        return layers.size();
    }

    /** {@code x} through every module in order; the shapes are those of the chained modules. */
    @Override
    public Var forward(Var x) {
        Var y = x;
        for (Layer l : layers) {
            y = l.forward(y);
        }
        return y;
    }

    /** No hyperparameters: the chained modules are the children. */
    @Override
    public Map<String, Object> config() {
        return Map.of();
    }
}
