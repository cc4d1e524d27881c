/**
 * <b>For readers of the examples.</b> The applications' data sets and their loading.
 */
package org.rnn4j.examples.data;
