package org.rnn4j.models;

import org.rnn4j.nn.Module;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.DType;

/**
 * Rebuilds a module of one type from its saved configuration (the inverse of {@link Module#config()}):
 * registered for built-in types by {@link Models}, and by users for their own modules with
 * {@link Models#register(String, ModuleFactory)}. The weights are loaded afterwards, so the factory
 * only has to create a module of the right shape (any initialisation will be overwritten).
 */
@FunctionalInterface
public interface ModuleFactory {
    /**
     * @param spec    type, configuration and already rebuilt children
     * @param backend where the parameters must live
     * @param dtype   the dtype of the saved parameters
     * @throws ModelFormatException when the configuration is invalid (the {@link ModuleSpec} accessors throw it)
     */
    Module create(ModuleSpec spec, Backend backend, DType dtype);
}
