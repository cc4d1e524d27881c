/**
 * <b>For backend authors.</b> The conformance suite every backend runs: abstract JUnit contracts
 * (tensor ops, autograd, fused kernels, cells, layers, models, golden PyTorch cases) that a backend's
 * tests subclass, naming the backend. Unavailable backends skip with their availability reason.
 */
package org.rnn4j.conformance;
