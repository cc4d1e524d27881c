/**
 * <b>For the conformance suite.</b> User-defined cells (written only against the public {@code Cell}
 * API) that the cell contracts run on every backend, proving that user cells need no backend code.
 */
package org.rnn4j.conformance.cells;
