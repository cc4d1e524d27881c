/**
 * <b>For readers of the examples.</b> Shared command-line plumbing of the applications: options, progress, budgets, errors, checkpoints.
 */
package org.rnn4j.examples.cli;
