/**
 * <b>For readers of the examples.</b> The surname classifier application ({@code names}, {@code names predict}).
 */
package org.rnn4j.examples.names;
