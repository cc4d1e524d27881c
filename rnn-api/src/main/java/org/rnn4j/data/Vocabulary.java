package org.rnn4j.data;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.StoredType;

/**
 * A mapping between tokens and ids {@code 0..size-1}, for characters (each token one Unicode code point,
 * as char-rnn uses) or words (each token a non-empty string), with optional special tokens (padding,
 * unknown, begin and end of sequence). Immutable.
 *
 * <p><b>Building.</b> {@link #characters()} and {@link #words()} return a {@link Builder} that counts
 * the tokens of a corpus and builds a vocabulary with a minimum frequency and a maximum size, in a
 * deterministic order: the special tokens first (pad, unk, bos, eos, those that are set), then the
 * corpus tokens by descending frequency ({@link Order#FREQUENCY}, ties in code point order) or in code
 * point order ({@link Order#LEXICAL}). {@link #of} and {@link #ofCodePoints} take an explicit list.
 *
 * <p><b>Text.</b> A character vocabulary tokenizes a text into its code points; a word vocabulary
 * splits it at whitespace ({@link Character#isWhitespace}). {@link #encode} maps tokens to ids (tokens
 * not in the vocabulary become the unk id, or are an error when there is none); {@link #decode} maps
 * ids back (characters concatenated, words joined by single spaces).
 *
 * <p><b>Storing.</b> A vocabulary travels with its model's weights in one safetensors file
 * ({@link #save}, {@link #load}): a character vocabulary as an I32 tensor {@code [V]} of its code
 * points (the form rnn4j's examples have always stored) plus, under the same name in the file's
 * metadata, a JSON object with its kind and special token ids; a word vocabulary as that JSON object
 * alone, its tokens in a JSON array. Loading validates everything and reports problems as
 * {@link VocabularyFormatException}.
 */
public final class Vocabulary {

    /** What a token is. */
    public enum Kind {
        /** Each token is one Unicode code point; texts are tokenized into their code points. */
        CHARACTER("character"),
        /** Each token is a non-empty string; texts are tokenized at whitespace. */
        WORD("word");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        /** The name used in the stored JSON: {@code character} or {@code word}. */
        public String key() {
            return key;
        }
    }

    /** The special roles a token can have; at most one token per role, and one role per token. */
    public enum Special {
        /** Padding after a sequence's end; default token U+0000 (characters) or {@code <pad>} (words). */
        PAD("pad", "\u0000", "<pad>"),
        /** Stands for every token not in the vocabulary; default U+FFFD (the replacement character) or {@code <unk>}. */
        UNK("unk", "\uFFFD", "<unk>"),
        /** Begins a sequence; default U+0002 (start of text) or {@code <bos>}. */
        BOS("bos", "\u0002", "<bos>"),
        /** Ends a sequence; default U+0003 (end of text) or {@code <eos>}. */
        EOS("eos", "\u0003", "<eos>");

        private final String key;
        private final String defaultCharacter;
        private final String defaultWord;

        Special(String key, String defaultCharacter, String defaultWord) {
            this.key = key;
            this.defaultCharacter = defaultCharacter;
            this.defaultWord = defaultWord;
        }

        /** The name used in the stored JSON: {@code pad}, {@code unk}, {@code bos} or {@code eos}. */
        public String key() {
            return key;
        }

        /** This role's default token in a vocabulary of {@code kind}. */
        public String defaultToken(Kind kind) {
            return kind == Kind.CHARACTER ? defaultCharacter : defaultWord;
        }
    }

    /** The order of the corpus tokens after the special ones. */
    public enum Order {
        /** Most frequent first; equal counts in code point order. */
        FREQUENCY,
        /** Code point order (for words: the strings compared code point by code point). */
        LEXICAL
    }

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final int MAX_SHOWN = 40;

    private final Kind kind;
    private final String[] tokens;
    private final Map<String, Integer> index;
    /** CHARACTER only: code point to id. */
    private final Map<Integer, Integer> codePointIndex;
    /** Per {@link Special} ordinal, the id, or -1. */
    private final int[] specialIds;

    private Vocabulary(Kind kind, String[] tokens, Map<String, Integer> index, int[] specialIds) {
        this.kind = kind;
        this.tokens = tokens;
        this.index = index;
        this.specialIds = specialIds;
        if (kind == Kind.CHARACTER) {
            codePointIndex = new HashMap<>(tokens.length * 2);
            for (int i = 0; i < tokens.length; i++) {
                codePointIndex.put(tokens[i].codePointAt(0), i);
            }
        } else {
            codePointIndex = null;
        }
    }

    // ================================================================ construction

    /**
     * A vocabulary of exactly {@code tokens} (id {@code i} is {@code tokens.get(i)}).
     *
     * @param kind what a token is
     * @param tokens at least one; for {@link Kind#CHARACTER} each exactly one code point (no lone
     *     surrogate), for {@link Kind#WORD} each non-empty; no duplicates; copied
     * @param specials the id of each special role that is present (null or empty for none); ids must be
     *     in range and distinct; copied
     * @throws IllegalArgumentException naming the offending token, id or role
     */
    public static Vocabulary of(Kind kind, List<String> tokens, Map<Special, Integer> specials) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tokens, "tokens");
        String[] t = tokens.toArray(new String[0]);
        if (t.length == 0) {
            throw new IllegalArgumentException("tokens is empty; a vocabulary needs at least one token");
        }
        Map<String, Integer> index = new HashMap<>(t.length * 2);
        for (int i = 0; i < t.length; i++) {
            checkToken(kind, t[i], "tokens[" + i + "]");
            Integer before = index.put(t[i], i);
            if (before != null) {
                throw new IllegalArgumentException("tokens[" + before + "] and tokens[" + i + "] are both " + show(t[i])
                        + "; a vocabulary lists each token once");
            }
        }
        int[] ids = new int[Special.values().length];
        Arrays.fill(ids, -1);
        if (specials != null) {
            for (Map.Entry<Special, Integer> e : specials.entrySet()) {
                Special role = Objects.requireNonNull(e.getKey(), "specials key");
                Integer id = e.getValue();
                if (id == null || id < 0 || id >= t.length) {
                    throw new IllegalArgumentException("special token " + role.key() + " has id " + id + ", expected an id in [0, " + t.length + ")");
                }
                ids[role.ordinal()] = id;
            }
            for (Special a : Special.values()) {
                for (Special b : Special.values()) {
                    if (a.ordinal() < b.ordinal() && ids[a.ordinal()] >= 0 && ids[a.ordinal()] == ids[b.ordinal()]) {
                        throw new IllegalArgumentException("special tokens " + a.key() + " and " + b.key() + " both have id " + ids[a.ordinal()]
                                + "; each role needs its own token");
                    }
                }
            }
        }
        return new Vocabulary(kind, t, index, ids);
    }

    /**
     * A character vocabulary of exactly these code points, without special tokens (the form of the I32
     * tensors rnn4j's examples store).
     *
     * @throws IllegalArgumentException naming the index of an invalid code point or of a duplicate
     */
    public static Vocabulary ofCodePoints(int... codePoints) {
        Objects.requireNonNull(codePoints, "codePoints");
        List<String> t = new ArrayList<>(codePoints.length);
        for (int i = 0; i < codePoints.length; i++) {
            checkCodePoint(codePoints[i], "codePoints[" + i + "]");
            t.add(new String(Character.toChars(codePoints[i])));
        }
        return of(Kind.CHARACTER, t, null);
    }

    /** A builder of a character vocabulary from a corpus. */
    public static Builder characters() {
        return new Builder(Kind.CHARACTER);
    }

    /** A builder of a word vocabulary from a corpus. */
    public static Builder words() {
        return new Builder(Kind.WORD);
    }

    private static void checkToken(Kind kind, String token, String what) {
        if (token == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (kind == Kind.CHARACTER) {
            if (token.isEmpty() || token.codePointCount(0, token.length()) != 1) {
                throw new IllegalArgumentException(what + " is " + show(token) + ", not one code point; a character vocabulary's tokens are "
                        + "single characters");
            }
            checkCodePoint(token.codePointAt(0), what);
        } else if (token.isEmpty()) {
            throw new IllegalArgumentException(what + " is the empty string; a word token needs at least one character");
        }
    }

    private static void checkCodePoint(long cp, String what) {
        if (cp < 0 || cp > Character.MAX_CODE_POINT || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
            throw new IllegalArgumentException(what + " is " + cp + (cp >= 0 ? " (U+" + Long.toHexString(cp).toUpperCase() + ")" : "")
                    + ", not a Unicode scalar value (0..0x10FFFF without the surrogates 0xD800..0xDFFF)");
        }
    }

    // ================================================================ accessors

    /** What a token is. */
    public Kind kind() {
        return kind;
    }

    /** Number of tokens, special ones included; ids run from 0 to {@code size() - 1}. */
    public int size() {
        return tokens.length;
    }

    /** Every token in id order; unmodifiable. */
    public List<String> tokens() {
        return Collections.unmodifiableList(Arrays.asList(tokens));
    }

    /**
     * The token of {@code id}.
     *
     * @throws IllegalArgumentException when {@code id} is outside {@code [0, size())}
     */
    public String token(int id) {
        checkId(id, "id");
        return tokens[id];
    }

    /** The id of {@code token}, or -1 when it is not in the vocabulary. */
    public int id(String token) {
        Integer i = index.get(token);
        return i == null ? -1 : i;
    }

    /** Whether {@code token} is in the vocabulary. */
    public boolean contains(String token) {
        return index.containsKey(token);
    }

    /**
     * The code point of {@code id} in a character vocabulary.
     *
     * @throws IllegalStateException for a word vocabulary
     * @throws IllegalArgumentException when {@code id} is out of range
     */
    public int codePoint(int id) {
        requireCharacters("codePoint(int)");
        checkId(id, "id");
        return tokens[id].codePointAt(0);
    }

    /**
     * The id of {@code codePoint} in a character vocabulary, or -1 when it is not in it.
     *
     * @throws IllegalStateException for a word vocabulary
     */
    public int idOfCodePoint(int codePoint) {
        requireCharacters("idOfCodePoint(int)");
        Integer i = codePointIndex.get(codePoint);
        return i == null ? -1 : i;
    }

    /** Whether the vocabulary has a token for {@code role}. */
    public boolean has(Special role) {
        return specialIds[role.ordinal()] >= 0;
    }

    /**
     * The id of the token with role {@code role}.
     *
     * @throws IllegalStateException naming the role when the vocabulary has none
     */
    public int id(Special role) {
        int id = specialIds[role.ordinal()];
        if (id < 0) {
            throw new IllegalStateException("this " + kind.key() + " vocabulary has no " + role.key() + " token; build it with "
                    + role.key() + "() to have one");
        }
        return id;
    }

    /** {@code id(Special.PAD)}. */
    public int padId() {
        return id(Special.PAD);
    }

    /** {@code id(Special.UNK)}. */
    public int unkId() {
        return id(Special.UNK);
    }

    /** {@code id(Special.BOS)}. */
    public int bosId() {
        return id(Special.BOS);
    }

    /** {@code id(Special.EOS)}. */
    public int eosId() {
        return id(Special.EOS);
    }

    /** The id of every special role present, in role order; a new map. */
    public Map<Special, Integer> specials() {
        Map<Special, Integer> m = new EnumMap<>(Special.class);
        for (Special s : Special.values()) {
            if (specialIds[s.ordinal()] >= 0) {
                m.put(s, specialIds[s.ordinal()]);
            }
        }
        return m;
    }

    /** Whether {@code id} is the id of a special token. */
    public boolean isSpecial(int id) {
        for (int s : specialIds) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }

    // ================================================================ text

    /** The tokens of {@code text}: its code points (characters) or its whitespace-separated words. */
    public List<String> tokenize(CharSequence text) {
        return tokenize(kind, text);
    }

    static List<String> tokenize(Kind kind, CharSequence text) {
        Objects.requireNonNull(text, "text");
        List<String> out = new ArrayList<>();
        String s = text.toString();
        if (kind == Kind.CHARACTER) {
            s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            return out;
        }
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            int start = i;
            while (i < n && !Character.isWhitespace(s.codePointAt(i))) {
                i += Character.charCount(s.codePointAt(i));
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /** {@code encode(text, false)}. */
    public int[] encode(CharSequence text) {
        return encode(text, false);
    }

    /**
     * The ids of the tokens of {@code text}; with {@code boundaries} preceded by the bos id and followed by
     * the eos id.
     *
     * @throws IllegalArgumentException naming the token and its position when a token is not in the
     *     vocabulary and there is no unk token
     * @throws IllegalStateException when {@code boundaries} is set and bos or eos is missing
     */
    public int[] encode(CharSequence text, boolean boundaries) {
        Objects.requireNonNull(text, "text");
        if (kind == Kind.CHARACTER) {
            int extra = boundaries ? 2 : 0;
            int bos = boundaries ? bosId() : -1;
            int eos = boundaries ? eosId() : -1;
            int[] cps = text.codePoints().toArray();
            int[] out = new int[cps.length + extra];
            int at = 0;
            if (boundaries) {
                out[at++] = bos;
            }
            for (int k = 0; k < cps.length; k++) {
                Integer id = codePointIndex.get(cps[k]);
                out[at++] = id != null ? id : unknown(new String(Character.toChars(cps[k])), k);
            }
            if (boundaries) {
                out[at] = eos;
            }
            return out;
        }
        return encodeTokens(tokenize(text), boundaries);
    }

    /** {@code encodeTokens(tokens, false)}. */
    public int[] encodeTokens(List<String> tokens) {
        return encodeTokens(tokens, false);
    }

    /**
     * The ids of already tokenized {@code tokens}; with {@code boundaries} preceded by bos and followed by eos.
     *
     * @throws IllegalArgumentException as {@link #encode(CharSequence, boolean)}, or naming a null token
     */
    public int[] encodeTokens(List<String> tokens, boolean boundaries) {
        Objects.requireNonNull(tokens, "tokens");
        int extra = boundaries ? 2 : 0;
        int bos = boundaries ? bosId() : -1;
        int eos = boundaries ? eosId() : -1;
        int[] out = new int[tokens.size() + extra];
        int at = 0;
        if (boundaries) {
            out[at++] = bos;
        }
        for (int k = 0; k < tokens.size(); k++) {
            String t = tokens.get(k);
            if (t == null) {
                throw new IllegalArgumentException("tokens[" + k + "] is null");
            }
            Integer id = index.get(t);
            out[at++] = id != null ? id : unknown(t, k);
        }
        if (boundaries) {
            out[at] = eos;
        }
        return out;
    }

    private int unknown(String token, int position) {
        int unk = specialIds[Special.UNK.ordinal()];
        if (unk < 0) {
            throw new IllegalArgumentException("token " + show(token) + " at position " + position + " is not in the vocabulary ("
                    + tokens.length + " tokens) and the vocabulary has no unk token; build it with unk() or from a corpus that holds it");
        }
        return unk;
    }

    /** {@code decode(ids, false)}. */
    public String decode(int... ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}: the characters concatenated, or the words joined by single spaces. With
     * {@code skipSpecials} special tokens are left out.
     *
     * @throws IllegalArgumentException naming the first id outside {@code [0, size())}
     */
    public String decode(int[] ids, boolean skipSpecials) {
        Objects.requireNonNull(ids, "ids");
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (int k = 0; k < ids.length; k++) {
            checkId(ids[k], "ids[" + k + "]");
            if (skipSpecials && isSpecial(ids[k])) {
                continue;
            }
            if (kind == Kind.WORD && !first) {
                sb.append(' ');
            }
            sb.append(tokens[ids[k]]);
            first = false;
        }
        return sb.toString();
    }

    private void checkId(int id, String what) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException(what + " = " + id + ", expected an id in [0, " + tokens.length + ")");
        }
    }

    private void requireCharacters(String what) {
        if (kind != Kind.CHARACTER) {
            throw new IllegalStateException(what + " needs a character vocabulary; this one is a " + kind.key() + " vocabulary");
        }
    }

    // ================================================================ storing

    /**
     * The code points as an I32 tensor {@code [V]} (id order), the form a character vocabulary is stored in.
     *
     * @throws IllegalStateException for a word vocabulary
     */
    public HostTensor toTensor() {
        requireCharacters("toTensor()");
        int[] cps = new int[tokens.length];
        for (int i = 0; i < cps.length; i++) {
            cps[i] = tokens[i].codePointAt(0);
        }
        return HostTensor.ofInts(cps, cps.length);
    }

    /**
     * A character vocabulary without special tokens from a tensor of code points {@code [V]}, I32 or I64
     * (as {@link #toTensor()} writes and rnn4j's examples have stored).
     *
     * @param source names the tensor in messages (e.g. {@code "model.safetensors, tensor 'vocab'"})
     * @throws VocabularyFormatException for another dtype or rank, an empty tensor, an invalid code
     *     point or a duplicate (naming the index)
     */
    public static Vocabulary fromTensor(HostTensor tensor, String source) {
        Objects.requireNonNull(tensor, "tensor");
        return fromTensor(tensor, source, source == null ? "vocabulary tensor" : source, null);
    }

    /** {@code source} goes into the exception, {@code where} starts its messages. */
    private static Vocabulary fromTensor(HostTensor tensor, String source, String where, Map<Special, Integer> specials) {
        if (tensor.type() != StoredType.I32 && tensor.type() != StoredType.I64) {
            throw new VocabularyFormatException(source, where + " is stored as " + tensor.type() + " " + Arrays.toString(tensor.shape())
                    + "; a character vocabulary is an I32 or I64 tensor [V] of code points", null);
        }
        if (tensor.rank() != 1) {
            throw new VocabularyFormatException(source, where + " has shape " + Arrays.toString(tensor.shape())
                    + "; a character vocabulary is a tensor of rank 1, [V]", null);
        }
        if (tensor.size() == 0) {
            throw new VocabularyFormatException(source, where + " is empty (shape [0]); a vocabulary needs at least one token", null);
        }
        long[] cps = tensor.asLongs();
        List<String> t = new ArrayList<>(cps.length);
        Map<Long, Integer> first = new HashMap<>(cps.length * 2);
        for (int i = 0; i < cps.length; i++) {
            try {
                checkCodePoint(cps[i], where + " element " + i);
            } catch (IllegalArgumentException e) {
                throw new VocabularyFormatException(source, e.getMessage() + "; a character vocabulary holds code points", null);
            }
            Integer before = first.putIfAbsent(cps[i], i);
            if (before != null) {
                throw new VocabularyFormatException(source, where + " lists code point " + cps[i] + " " + show(new String(Character.toChars((int) cps[i])))
                        + " at elements " + before + " and " + i + "; a vocabulary lists each token once", null);
            }
            t.add(new String(Character.toChars((int) cps[i])));
        }
        try {
            return of(Kind.CHARACTER, t, specials);
        } catch (IllegalArgumentException e) {
            throw new VocabularyFormatException(source, where + " is not a valid character vocabulary: " + e.getMessage(), e);
        }
    }

    /**
     * The whole vocabulary as a JSON object: {@code {"kind": "word", "tokens": [...], "specials":
     * {"pad": 0, ...}}} (specials omitted when there are none).
     */
    public String toJson() {
        return GSON.toJson(json(true));
    }

    private JsonObject json(boolean withTokens) {
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind.key());
        if (withTokens) {
            JsonArray a = new JsonArray(tokens.length);
            for (String t : tokens) {
                a.add(t);
            }
            o.add("tokens", a);
        }
        Map<Special, Integer> sp = specials();
        if (!sp.isEmpty()) {
            JsonObject s = new JsonObject();
            sp.forEach((k, v) -> s.addProperty(k.key(), v));
            o.add("specials", s);
        }
        return o;
    }

    /**
     * Parses {@link #toJson()}'s form strictly: an object with {@code kind}, {@code tokens} and optionally
     * {@code specials}, no other keys.
     *
     * @param source names the JSON in messages
     * @throws VocabularyFormatException for malformed JSON, a missing, unknown or mistyped key, or any
     *     invalid token or special id
     */
    public static Vocabulary fromJson(String json, String source) {
        Objects.requireNonNull(json, "json");
        return fromJson(json, source, source == null ? "vocabulary JSON" : source, null, null);
    }

    /**
     * {@code tensor} non-null: the tokens come from it (JSON without tokens, a character vocabulary),
     * described as {@code tensorWhere}.
     */
    private static Vocabulary fromJson(String json, String source, String where, HostTensor tensor, String tensorWhere) {
        JsonObject o;
        try {
            JsonReader r = new JsonReader(new StringReader(json));
            r.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(r);
            if (!e.isJsonObject()) {
                throw new VocabularyFormatException(source, where + " is " + abbreviate(json)
                        + ", not a JSON object {\"kind\": ..., \"tokens\": [...], \"specials\": {...}}", null);
            }
            boolean trailing;
            try {
                trailing = r.peek() != JsonToken.END_DOCUMENT;
            } catch (IOException | JsonParseException e2) {
                trailing = true; // strict mode refuses a second value or stray characters
            }
            if (trailing) {
                throw new VocabularyFormatException(source, where + " has content after its JSON object: " + abbreviate(json), null);
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new VocabularyFormatException(source, where + " is not valid JSON (" + why + "): " + abbreviate(json), e);
        }
        for (String key : o.keySet()) {
            if (!key.equals("kind") && !key.equals("tokens") && !key.equals("specials")) {
                throw new VocabularyFormatException(source, where + " has unknown key '" + key + "'; expected kind, tokens and specials", null);
            }
        }
        String kindName = string(o.get("kind"), where + " 'kind'", source);
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.key().equals(kindName)) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new VocabularyFormatException(source, where + " has kind '" + kindName + "'; expected 'character' or 'word'", null);
        }
        Map<Special, Integer> specials = new EnumMap<>(Special.class);
        JsonElement sp = o.get("specials");
        if (sp != null) {
            if (!sp.isJsonObject()) {
                throw new VocabularyFormatException(source, where + " 'specials' is " + sp + ", expected an object such as {\"pad\": 0}", null);
            }
            for (Map.Entry<String, JsonElement> e : sp.getAsJsonObject().entrySet()) {
                Special role = null;
                for (Special s : Special.values()) {
                    if (s.key().equals(e.getKey())) {
                        role = s;
                    }
                }
                if (role == null) {
                    throw new VocabularyFormatException(source, where + " names special token '" + e.getKey()
                            + "'; expected pad, unk, bos or eos", null);
                }
                specials.put(role, integer(e.getValue(), where + " special '" + e.getKey() + "'", source));
            }
        }
        JsonElement tok = o.get("tokens");
        if (tensor != null) {
            if (kind != Kind.CHARACTER) {
                throw new VocabularyFormatException(source, where + " describes a " + kind.key() + " vocabulary but the file also holds a "
                        + "tensor of that name; only a character vocabulary is stored as a tensor", null);
            }
            if (tok != null) {
                throw new VocabularyFormatException(source, where + " lists tokens and the file also holds a tensor of that name; "
                        + "store the tokens in one place", null);
            }
            return fromTensor(tensor, source, tensorWhere, specials);
        }
        if (tok == null) {
            throw new VocabularyFormatException(source, where + " has no 'tokens'" + (kind == Kind.CHARACTER
                    ? " and there is no tensor of code points of that name" : ""), null);
        }
        if (!tok.isJsonArray()) {
            throw new VocabularyFormatException(source, where + " 'tokens' is " + abbreviate(tok.toString()) + ", expected an array of strings", null);
        }
        JsonArray arr = tok.getAsJsonArray();
        List<String> tokens = new ArrayList<>(arr.size());
        for (int i = 0; i < arr.size(); i++) {
            tokens.add(string(arr.get(i), where + " tokens[" + i + "]", source));
        }
        if (tokens.isEmpty()) {
            throw new VocabularyFormatException(source, where + " has no tokens ('tokens' is []); a vocabulary needs at least one", null);
        }
        try {
            return of(kind, tokens, specials);
        } catch (IllegalArgumentException e) {
            throw new VocabularyFormatException(source, where + " is not a valid " + kind.key() + " vocabulary: " + e.getMessage(), e);
        }
    }

    private static String string(JsonElement e, String what, String source) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new VocabularyFormatException(source, what + " is " + (e == null ? "missing" : abbreviate(e.toString())) + ", expected a string", null);
        }
        return e.getAsString();
    }

    private static int integer(JsonElement e, String what, String source) {
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            JsonPrimitive p = e.getAsJsonPrimitive();
            double d = p.getAsDouble();
            if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) {
                return (int) d;
            }
        }
        throw new VocabularyFormatException(source, what + " is " + (e == null ? "missing" : abbreviate(String.valueOf(e)))
                + ", expected an integer id", null);
    }

    /**
     * Adds this vocabulary under {@code name} to the contents of a safetensors file being assembled:
     * a character vocabulary puts its {@link #toTensor() I32 tensor} into {@code tensors} and its kind and
     * special ids as JSON into {@code metadata}; a word vocabulary puts its {@link #toJson() JSON} into
     * {@code metadata}. Modifies the two maps (nothing else); write them with
     * {@link org.rnn4j.io.SafeTensors#write}.
     *
     * @throws IllegalArgumentException when {@code name} is empty or {@code __metadata__}, or a map
     *     already holds an entry called {@code name} (nothing is added then)
     */
    public void save(String name, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        if (name.isEmpty() || name.equals(org.rnn4j.io.SafeTensors.METADATA_KEY)) {
            throw new IllegalArgumentException("name is '" + name + "'; expected a non-empty name other than "
                    + org.rnn4j.io.SafeTensors.METADATA_KEY);
        }
        if (metadata.containsKey(name) || (kind == Kind.CHARACTER && tensors.containsKey(name))) {
            throw new IllegalArgumentException("'" + name + "' is already in the " + (metadata.containsKey(name) ? "metadata" : "tensors")
                    + "; pick another name for the vocabulary");
        }
        if (kind == Kind.CHARACTER) {
            tensors.put(name, toTensor());
            metadata.put(name, GSON.toJson(json(false)));
        } else {
            metadata.put(name, toJson());
        }
    }

    /** {@link #load(String, Map, Map, String)} of a file read with {@link org.rnn4j.io.SafeTensors#read}. */
    public static Vocabulary load(String name, SafeTensorsFile file) {
        Objects.requireNonNull(file, "file");
        return load(name, file.tensors(), file.metadata(), file.source());
    }

    /**
     * The vocabulary {@link #save saved} under {@code name}: the metadata entry {@code name} (JSON) and,
     * for a character vocabulary, the tensor {@code name}. A tensor without a metadata entry is read as
     * a character vocabulary without special tokens (the older form). Reads the maps; modifies nothing.
     *
     * @param source names the file in messages
     * @throws VocabularyFormatException when there is no vocabulary of that name (listing what the file
     *     holds) or it is invalid in any way
     */
    public static Vocabulary load(String name, Map<String, HostTensor> tensors, Map<String, String> metadata, String source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        String src = source == null ? "the file" : source;
        HostTensor t = tensors.get(name);
        String json = metadata.get(name);
        if (t == null && json == null) {
            throw new VocabularyFormatException(source, src + " holds no vocabulary '" + name + "': no tensor and no metadata entry of that "
                    + "name; its tensors are " + tensors.keySet() + " and its metadata keys " + metadata.keySet(), null);
        }
        if (json == null) {
            return fromTensor(t, source, src + ", tensor '" + name + "'", null);
        }
        return fromJson(json, source, src + ", vocabulary '" + name + "'", t, src + ", tensor '" + name + "'");
    }

    private static String show(String token) {
        StringBuilder sb = new StringBuilder("'");
        token.codePoints().forEach(cp -> {
            if (cp < 32 || cp == 0x7F || Character.getType(cp) == Character.UNASSIGNED || Character.isISOControl(cp)) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        sb.append('\'');
        if (token.codePointCount(0, token.length()) == 1) {
            sb.append(" (U+").append(Integer.toHexString(token.codePointAt(0)).toUpperCase()).append(')');
        }
        return sb.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // ================================================================ Object

    /** Equal when kind, tokens (in order) and special ids are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.kind == kind && Arrays.equals(v.tokens, tokens) && Arrays.equals(v.specialIds, specialIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + Arrays.hashCode(tokens)) + Arrays.hashCode(specialIds);
    }

    /** {@code Vocabulary[character, 65 tokens: 'a' 'b' ..., pad=0 unk=1]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Vocabulary[").append(kind.key()).append(", ").append(tokens.length).append(" tokens:");
        for (int i = 0; i < Math.min(tokens.length, MAX_SHOWN); i++) {
            String s = show(tokens[i]);
            int cut = s.indexOf(" (U+");
            sb.append(' ').append(cut > 0 ? s.substring(0, cut) : s);
        }
        if (tokens.length > MAX_SHOWN) {
            sb.append(" ...");
        }
        specials().forEach((k, v) -> sb.append(", ").append(k.key()).append('=').append(v));
        return sb.append(']').toString();
    }

    // ================================================================ builder

    /**
     * Counts the tokens of a corpus and builds a {@link Vocabulary} from the counts. Defaults: no special
     * tokens, minimum frequency 1, no maximum size, {@link Order#LEXICAL} for characters and
     * {@link Order#FREQUENCY} for words. The counts accumulate over every {@code add}; {@link #build()}
     * may be called more than once. A special token that occurs in the corpus keeps its special id (it
     * is not listed twice).
     */
    public static final class Builder {
        private final Kind kind;
        private final EnumMap<Special, String> specials = new EnumMap<>(Special.class);
        private int minFrequency = 1;
        private int maxSize = Integer.MAX_VALUE;
        private Order order;
        /** CHARACTER: counts of the code points below 0x10000, by code point. */
        private long[] bmp;
        /** CHARACTER: counts of the supplementary code points; WORD: unused. */
        private final Map<Integer, long[]> supplementary = new HashMap<>();
        /** WORD: counts by token. */
        private final Map<String, long[]> words = new HashMap<>();

        private Builder(Kind kind) {
            this.kind = kind;
            this.order = kind == Kind.CHARACTER ? Order.LEXICAL : Order.FREQUENCY;
            if (kind == Kind.CHARACTER) {
                bmp = new long[0x10000];
            }
        }

        /** Gives the vocabulary the role {@code role} with its {@linkplain Special#defaultToken default token}. */
        public Builder special(Special role) {
            return special(role, role.defaultToken(kind));
        }

        /**
         * Gives the vocabulary the role {@code role} with token {@code token} (one code point for a
         * character vocabulary).
         *
         * @throws IllegalArgumentException for a token invalid for this kind, or one that another role has
         */
        public Builder special(Special role, String token) {
            Objects.requireNonNull(role, "role");
            checkToken(kind, token, role.key() + " token");
            for (Map.Entry<Special, String> e : specials.entrySet()) {
                if (e.getKey() != role && e.getValue().equals(token)) {
                    throw new IllegalArgumentException(role.key() + " token " + show(token) + " is already the " + e.getKey().key()
                            + " token; each role needs its own token");
                }
            }
            specials.put(role, token);
            return this;
        }

        /** {@code special(Special.PAD)}. */
        public Builder pad() {
            return special(Special.PAD);
        }

        /** {@code special(Special.UNK)}. */
        public Builder unk() {
            return special(Special.UNK);
        }

        /** {@code special(Special.BOS)}. */
        public Builder bos() {
            return special(Special.BOS);
        }

        /** {@code special(Special.EOS)}. */
        public Builder eos() {
            return special(Special.EOS);
        }

        /** Leaves out corpus tokens seen fewer than {@code count} times ({@code >= 1}). */
        public Builder minFrequency(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("minFrequency = " + count + ", expected >= 1");
            }
            this.minFrequency = count;
            return this;
        }

        /**
         * At most {@code size} tokens in all, special ones included ({@code >= 1}); the most frequent corpus
         * tokens are kept (equal counts in code point order).
         */
        public Builder maxSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("maxSize = " + size + ", expected >= 1");
            }
            this.maxSize = size;
            return this;
        }

        /** The order of the corpus tokens after the special ones. */
        public Builder order(Order order) {
            this.order = Objects.requireNonNull(order, "order");
            return this;
        }

        /**
         * Counts the tokens of {@code text}: its code points (every one, whitespace and line breaks too;
         * lone surrogates are counted but never become tokens), or its whitespace-separated words.
         */
        public Builder add(CharSequence text) {
            Objects.requireNonNull(text, "text");
            if (kind == Kind.CHARACTER) {
                text.codePoints().forEach(this::countCodePoint);
            } else {
                for (String w : tokenize(kind, text)) {
                    words.computeIfAbsent(w, k -> new long[1])[0]++;
                }
            }
            return this;
        }

        /** Counts the tokens of every text. */
        public Builder addAll(Iterable<? extends CharSequence> texts) {
            Objects.requireNonNull(texts, "texts");
            for (CharSequence t : texts) {
                add(t);
            }
            return this;
        }

        /**
         * Counts already tokenized {@code tokens} (each valid for this kind: one code point, or non-empty).
         *
         * @throws IllegalArgumentException naming the first invalid token (none of them is counted then)
         */
        public Builder addTokens(Iterable<String> tokens) {
            Objects.requireNonNull(tokens, "tokens");
            int k = 0;
            for (String t : tokens) {
                checkToken(kind, t, "tokens[" + k++ + "]");
            }
            for (String t : tokens) {
                if (kind == Kind.CHARACTER) {
                    countCodePoint(t.codePointAt(0));
                } else {
                    words.computeIfAbsent(t, x -> new long[1])[0]++;
                }
            }
            return this;
        }

        private void countCodePoint(int cp) {
            if (cp < 0x10000) {
                bmp[cp]++;
            } else {
                supplementary.computeIfAbsent(cp, x -> new long[1])[0]++;
            }
        }

        /** {@code addAll(texts).build()}: counts {@code texts} (on top of earlier counts) and builds. */
        public Vocabulary build(Iterable<? extends CharSequence> texts) {
            return addAll(texts).build();
        }

        /**
         * The vocabulary: special tokens first (pad, unk, bos, eos), then the corpus tokens counted at least
         * {@code minFrequency} times, the most frequent up to {@code maxSize} in all, in the chosen order.
         *
         * @throws IllegalArgumentException when no token results, or {@code maxSize} is smaller than the
         *     number of special tokens
         */
        public Vocabulary build() {
            if (maxSize < specials.size()) {
                throw new IllegalArgumentException("maxSize = " + maxSize + " leaves no room for the " + specials.size()
                        + " special tokens " + specials.keySet() + "; expected maxSize >= " + specials.size());
            }
            List<String> corpus = new ArrayList<>();
            List<Long> counts = new ArrayList<>();
            java.util.function.BiConsumer<String, Long> offer = (t, c) -> {
                if (c >= minFrequency && !specials.containsValue(t)) {
                    corpus.add(t);
                    counts.add(c);
                }
            };
            if (kind == Kind.CHARACTER) {
                for (int cp = 0; cp < bmp.length; cp++) {
                    if (bmp[cp] > 0 && !Character.isSurrogate((char) cp)) {
                        offer.accept(String.valueOf((char) cp), bmp[cp]);
                    }
                }
                supplementary.forEach((cp, c) -> offer.accept(new String(Character.toChars(cp)), c[0]));
            } else {
                words.forEach((w, c) -> offer.accept(w, c[0]));
            }
            Integer[] idx = new Integer[corpus.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> {
                int byCount = Long.compare(counts.get(b), counts.get(a));
                return byCount != 0 ? byCount : compareCodePoints(corpus.get(a), corpus.get(b));
            });
            int keep = (int) Math.min(idx.length, (long) maxSize - specials.size());
            List<String> kept = new ArrayList<>(keep);
            for (int i = 0; i < keep; i++) {
                kept.add(corpus.get(idx[i]));
            }
            if (order == Order.LEXICAL) {
                kept.sort(Vocabulary::compareCodePoints);
            }
            List<String> all = new ArrayList<>(specials.values()); // EnumMap: role order pad, unk, bos, eos
            Map<Special, Integer> ids = new EnumMap<>(Special.class);
            int id = 0;
            for (Special s : specials.keySet()) {
                ids.put(s, id++);
            }
            all.addAll(kept);
            if (all.isEmpty()) {
                throw new IllegalArgumentException("no token reaches minFrequency = " + minFrequency + " and no special token is set; "
                        + "add a corpus (add, addAll, addTokens) or lower minFrequency");
            }
            return of(kind, all, ids);
        }
    }

    /** Compares strings code point by code point (String.compareTo compares UTF-16 units). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
