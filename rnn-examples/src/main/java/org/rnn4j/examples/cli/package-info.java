/**
 * <b>For readers of the examples.</b> Shared command-line plumbing of the applications: options, progress, the time budget and schedule (a Fit callback), errors, model files.
 */
package org.rnn4j.examples.cli;
