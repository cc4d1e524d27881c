/**
 * <b>For users.</b> Audio front end for speech models, on the host in float64, independent of any
 * backend: reading 16-bit PCM WAV files ({@link org.rnn4j.audio.Wav}, {@link org.rnn4j.audio.Waveform}),
 * the short-time Fourier transform ({@link org.rnn4j.audio.Stft}), HTK mel filter banks
 * ({@link org.rnn4j.audio.MelFilterBank}), mel spectrograms ({@link org.rnn4j.audio.MelSpectrogram}),
 * MFCCs ({@link org.rnn4j.audio.Mfcc}), deltas and per-utterance normalisation
 * ({@link org.rnn4j.audio.Features}). The numbers are torchaudio 0.13's, so models and features move
 * between PyTorch and rnn4j; feature matrices are time-major {@code double[frames][features]}, ready to
 * become a {@code [T, F]} row of a batch. Lengths are in samples or frames, frequencies in Hz.
 */
package org.rnn4j.audio;
