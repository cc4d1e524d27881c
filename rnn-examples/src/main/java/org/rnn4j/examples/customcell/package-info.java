/**
 * <b>For readers of the examples.</b> The user-defined cell example ({@code custom-cell}).
 */
package org.rnn4j.examples.customcell;
