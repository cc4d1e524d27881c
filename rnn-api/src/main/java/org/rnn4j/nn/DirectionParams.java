package org.rnn4j.nn;

import org.rnn4j.autograd.Var;

/**
 * The parameters of one layer and direction of a {@link Recurrent}.
 *
 * @param weightIh  {@code [G*H, I]}
 * @param biasIh    {@code [G*H]}, or null when the layer has no bias
 * @param recurrent what the cell's step sees: {@code weight_hh}, {@code bias_hh} and the extra parameters
 */
record DirectionParams(Var weightIh, Var biasIh, CellParams recurrent) {
}
