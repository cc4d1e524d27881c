package org.rnn4j.examples.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.rnn4j.data.Vocabulary;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFormatException;
import org.rnn4j.models.ModelFormatException;
import org.rnn4j.models.Models;
import org.rnn4j.nn.Module;
import org.rnn4j.tensor.Backend;

/**
 * The applications' model files and checkpoints ({@link Models}: weights, architecture and vocabularies
 * in one safetensors file), with every failure turned into a one-line {@link UserError}. Loading checks
 * the file before allocating anything (see {@link Models#load}); writes are atomic.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** {@link Models#load}; a missing, unreadable, damaged or hostile file is a {@link UserError} ending with {@code hint}. */
    public static Models.Loaded load(Path file, Backend backend, String hint) {
        try {
            return Models.load(file, backend);
        } catch (NoSuchFileException e) {
            throw new UserError("no checkpoint at " + file + "; " + hint, e);
        } catch (AccessDeniedException e) {
            throw new UserError("cannot read checkpoint " + file + ": permission denied; check the file's permissions", e);
        } catch (SafeTensorsFormatException e) {
            throw new UserError("checkpoint " + file + " is not a valid safetensors file (" + CommonOptions.firstLine(e.getMessage()) + "); "
                    + hint, e);
        } catch (IOException e) {
            throw new UserError("cannot read checkpoint " + file + ": " + e + "; " + hint, e);
        } catch (ModelFormatException e) {
            if (!isModelFile(file)) {
                throw new UserError("checkpoint " + file + " is not a model file (no " + Models.FORMAT_KEY + " metadata); checkpoints written"
                        + " before the examples saved model files are not read: " + hint, e);
            }
            throw new UserError("checkpoint " + CommonOptions.firstLine(e.getMessage()) + "; it is damaged or not written by this command; " + hint, e);
        }
    }

    private static boolean isModelFile(Path file) {
        try {
            return SafeTensors.readIndex(file).metadata().containsKey(Models.FORMAT_KEY);
        } catch (IOException e) {
            return true;
        }
    }

    /** The loaded model as a {@code type}, its vocabulary {@code vocabulary} beside it; else a {@link UserError} saying it is not a {@code kind} checkpoint. */
    public static <M extends Module> M model(Models.Loaded loaded, Class<M> type, String vocabulary, Path file, String kind, String hint) {
        if (!type.isInstance(loaded.model()) || !loaded.vocabularies().containsKey(vocabulary)) {
            throw new UserError("checkpoint " + file + " is not a " + kind + " checkpoint (it holds a " + loaded.model().typeName()
                    + " with vocabularies " + loaded.vocabularies().keySet() + "); " + hint);
        }
        return type.cast(loaded.model());
    }

    /** The loaded vocabulary {@code name}, which must have {@code size} tokens (the model's); else the file is damaged. */
    public static Vocabulary vocabulary(Models.Loaded loaded, String name, int size, Path file, String hint) {
        Vocabulary v = loaded.vocabulary(name);
        if (v.size() != size) {
            throw new UserError("checkpoint " + file + " has a vocabulary '" + name + "' of " + v.size() + " tokens for a model of " + size
                    + "; it is damaged; " + hint);
        }
        return v;
    }

    /** Creates the directory {@code file} goes into. */
    public static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UserError("cannot create " + parent + ": " + e + "; pass a writable path with --checkpoint or --out-dir", e);
        }
    }

    /** {@link Models#save}, creating the directory. */
    public static void save(Path file, Module model, Map<String, Vocabulary> vocabularies, Map<String, String> metadata) {
        createParent(file);
        try {
            Models.save(file.toAbsolutePath(), model, vocabularies, metadata);
        } catch (IOException e) {
            throw new UserError("cannot write checkpoint " + file + ": " + e + "; pass a writable path with --checkpoint or --out-dir", e);
        }
    }
}
