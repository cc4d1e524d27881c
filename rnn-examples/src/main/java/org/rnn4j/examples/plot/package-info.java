/**
 * <b>For readers of the examples.</b> PNG charts the applications write.
 */
package org.rnn4j.examples.plot;
