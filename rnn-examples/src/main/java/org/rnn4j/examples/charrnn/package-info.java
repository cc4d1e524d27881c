/**
 * <b>For readers of the examples.</b> The character-level language model application ({@code charrnn}, {@code charrnn sample}).
 */
package org.rnn4j.examples.charrnn;
