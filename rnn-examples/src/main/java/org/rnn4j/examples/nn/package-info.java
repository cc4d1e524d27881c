/**
 * <b>For readers of the examples.</b> Layers the applications build their models from.
 */
package org.rnn4j.examples.nn;
