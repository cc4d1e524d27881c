package org.rnn4j.examples.data;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.rnn4j.io.HostTensor;

/**
 * A character vocabulary: code points in a fixed order, each mapped to its index. Stored in
 * checkpoints as an I32 tensor of the code points, so a model and its vocabulary travel together.
 */
public final class Vocabulary {
    private final int[] codePoints;
    private final Map<Integer, Integer> index = new HashMap<>();

    public Vocabulary(int[] codePoints) {
        this.codePoints = codePoints.clone();
        for (int i = 0; i < codePoints.length; i++) {
            if (index.put(codePoints[i], i) != null) {
                throw new IllegalArgumentException("vocabulary lists code point " + codePoints[i] + " twice");
            }
        }
    }

    /** The distinct code points of {@code text}, sorted, optionally after {@code reserved} leading entries. */
    public static Vocabulary of(CharSequence text, int... reserved) {
        TreeSet<Integer> set = new TreeSet<>();
        text.codePoints().forEach(set::add);
        for (int r : reserved) {
            set.remove(r);
        }
        int[] cps = new int[reserved.length + set.size()];
        System.arraycopy(reserved, 0, cps, 0, reserved.length);
        int i = reserved.length;
        for (int c : set) {
            cps[i++] = c;
        }
        return new Vocabulary(cps);
    }

    public static Vocabulary fromTensor(HostTensor t) {
        return new Vocabulary(t.asInts());
    }

    public HostTensor toTensor() {
        return HostTensor.ofInts(codePoints, codePoints.length);
    }

    public int size() {
        return codePoints.length;
    }

    /** Index of {@code codePoint}, or -1 when it is not in the vocabulary. */
    public int indexOf(int codePoint) {
        Integer i = index.get(codePoint);
        return i == null ? -1 : i;
    }

    public boolean contains(int codePoint) {
        return index.containsKey(codePoint);
    }

    public int codePoint(int index) {
        return codePoints[index];
    }

    public String charAt(int index) {
        return new String(Character.toChars(codePoints[index]));
    }

    /** Indices of the code points of {@code s}; unknown ones become {@code unknown} (or throw when it is negative). */
    public int[] encode(CharSequence s, int unknown) {
        return s.codePoints().map(c -> {
            int i = indexOf(c);
            if (i < 0) {
                if (unknown < 0) {
                    throw new IllegalArgumentException("character '" + new String(Character.toChars(c)) + "' (U+"
                            + Integer.toHexString(c).toUpperCase() + ") is not in the vocabulary");
                }
                return unknown;
            }
            return i;
        }).toArray();
    }

    public int[] codePoints() {
        return codePoints.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && Arrays.equals(v.codePoints, codePoints);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codePoints);
    }

    /** A short printable description: size and the first characters. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(codePoints.length, 40); i++) {
            int c = codePoints[i];
            sb.append(c == '\n' ? "\\n" : c < 32 ? "?" : new String(Character.toChars(c)));
        }
        return codePoints.length + " characters: " + sb + (codePoints.length > 40 ? "..." : "");
    }
}
