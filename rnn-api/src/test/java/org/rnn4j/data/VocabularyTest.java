package org.rnn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rnn4j.data.CollateTest.fails;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rnn4j.data.Vocabulary.Kind;
import org.rnn4j.data.Vocabulary.Order;
import org.rnn4j.data.Vocabulary.Special;
import org.rnn4j.io.HostTensor;
import org.rnn4j.io.SafeTensors;
import org.rnn4j.io.SafeTensorsFile;
import org.rnn4j.io.StoredType;

class VocabularyTest {
    private static final String TEXT = "the cat sat on the mat\nthe dog sat on the log\na cat and a dog 😀\n";

    // ================================================================ building

    @Test
    void characterVocabularyIsSpecialsThenSortedCodePoints() {
        Vocabulary v = Vocabulary.characters().pad().unk().build(List.of(TEXT));
        assertEquals(Kind.CHARACTER, v.kind());
        TreeSet<Integer> distinct = new TreeSet<>();
        TEXT.codePoints().forEach(distinct::add);
        List<String> expected = new ArrayList<>(List.of("\u0000", "\uFFFD"));
        distinct.forEach(cp -> expected.add(new String(Character.toChars(cp))));
        assertEquals(expected, v.tokens());
        assertEquals(0, v.padId());
        assertEquals(1, v.unkId());
        assertEquals(Map.of(Special.PAD, 0, Special.UNK, 1), v.specials());
        assertFalse(v.has(Special.BOS));
        assertEquals(0x1F600, v.codePoint(v.size() - 1)); // the supplementary character sorts last
        assertEquals(v.size() - 1, v.idOfCodePoint(0x1F600));
        assertEquals(-1, v.idOfCodePoint('z'));
        IllegalStateException e = assertThrows(IllegalStateException.class, v::bosId);
        assertTrue(e.getMessage().contains("no bos token"), e.getMessage());
    }

    @Test
    void frequencyOrderMinFrequencyAndMaxSizeFollowTheCounts() {
        // reference: counts by an independent route (split and group), sorted by count, then code point order
        Map<String, Long> counts = java.util.Arrays.stream(TEXT.trim().split("\\s+"))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        List<String> byFrequency = counts.keySet().stream()
                .sorted(Comparator.<String>comparingLong(counts::get).reversed().thenComparing(Vocabulary::compareCodePoints)).toList();
        Vocabulary all = Vocabulary.words().build(List.of(TEXT));
        assertEquals(Kind.WORD, all.kind());
        assertEquals(byFrequency, all.tokens());
        assertEquals("the", all.token(0));

        Vocabulary frequent = Vocabulary.words().pad().unk().minFrequency(2).build(List.of(TEXT));
        List<String> expected = new ArrayList<>(List.of("<pad>", "<unk>"));
        byFrequency.stream().filter(w -> counts.get(w) >= 2).forEach(expected::add);
        assertEquals(expected, frequent.tokens());

        Vocabulary capped = Vocabulary.words().unk().maxSize(4).order(Order.LEXICAL).build(List.of(TEXT));
        List<String> top3 = new ArrayList<>(byFrequency.subList(0, 3));
        top3.sort(Vocabulary::compareCodePoints);
        List<String> expectedCapped = new ArrayList<>(List.of("<unk>"));
        expectedCapped.addAll(top3);
        assertEquals(expectedCapped, capped.tokens());

        Vocabulary chars = Vocabulary.characters().order(Order.FREQUENCY).maxSize(2).build(List.of("aabbbc"));
        assertEquals(List.of("b", "a"), chars.tokens());
        // a special token in the corpus keeps its special id and is listed once
        Vocabulary withEos = Vocabulary.words().eos().addTokens(List.of("x", "<eos>", "x")).build();
        assertEquals(List.of("<eos>", "x"), withEos.tokens());
    }

    @Test
    void encodeAndDecodeRoundTrip() {
        Vocabulary c = Vocabulary.characters().pad().unk().bos().eos().build(List.of(TEXT));
        int[] ids = c.encode("a dog 😀");
        assertEquals(7, ids.length); // code points, not UTF-16 units
        assertEquals("a dog 😀", c.decode(ids));
        int[] framed = c.encode("cat", true);
        assertEquals(c.bosId(), framed[0]);
        assertEquals(c.eosId(), framed[4]);
        assertEquals("cat", c.decode(framed, true));
        assertEquals("\u0002cat\u0003", c.decode(framed));
        assertEquals(c.unkId(), c.encode("z")[0]);

        Vocabulary w = Vocabulary.words().unk().bos().eos().build(List.of(TEXT));
        int[] wi = w.encode("  the   cat\tsat\n", true);
        assertArrayEquals(new int[] {w.bosId(), w.id("the"), w.id("cat"), w.id("sat"), w.eosId()}, wi);
        assertEquals("<bos> the cat sat <eos>", w.decode(wi));
        assertEquals("the cat sat", w.decode(wi, true));
        assertEquals(w.unkId(), w.encode("zebra")[0]);
        assertArrayEquals(w.encode("the mat"), w.encodeTokens(List.of("the", "mat")));
        assertEquals(List.of("a", "b"), w.tokenize(" a\u2003b ")); // Unicode whitespace (em space) separates words
    }

    @Test
    void encodingErrorsNameTheTokenAndPosition() {
        Vocabulary c = Vocabulary.characters().build(List.of("abc"));
        fails(() -> c.encode("abz"), "token 'z' (U+7A) at position 2 is not in the vocabulary (3 tokens) and the vocabulary has no unk token");
        Vocabulary w = Vocabulary.words().build(List.of("a b"));
        fails(() -> w.encode("a q"), "token 'q' (U+71) at position 1");
        fails(() -> w.decode(0, 2), "ids[1] = 2, expected an id in [0, 2)");
        fails(() -> w.token(-1), "id = -1");
        fails(() -> w.encodeTokens(java.util.Arrays.asList("a", null)), "tokens[1] is null");
        assertThrows(IllegalStateException.class, () -> c.encode("abc", true));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.codePoint(0));
        assertTrue(e.getMessage().contains("needs a character vocabulary"), e.getMessage());
        assertThrows(IllegalStateException.class, w::toTensor);
    }

    @Test
    void buildersAndFactoriesValidate() {
        fails(() -> Vocabulary.characters().special(Special.PAD, "ab"), "pad token is 'ab', not one code point");
        fails(() -> Vocabulary.characters().special(Special.PAD, "\uD800"), "is 55296 (U+D800), not a Unicode scalar value");
        fails(() -> Vocabulary.words().special(Special.PAD, ""), "pad token is the empty string");
        fails(() -> Vocabulary.words().pad().special(Special.UNK, "<pad>"), "unk token '<pad>' is already the pad token");
        fails(() -> Vocabulary.words().minFrequency(0), "minFrequency = 0");
        fails(() -> Vocabulary.words().maxSize(0), "maxSize = 0");
        fails(() -> Vocabulary.words().pad().unk().maxSize(1).build(), "maxSize = 1 leaves no room for the 2 special tokens");
        fails(() -> Vocabulary.words().build(), "no token reaches minFrequency = 1");
        fails(() -> Vocabulary.characters().minFrequency(5).build(List.of("abc")), "no token reaches minFrequency = 5");
        fails(() -> Vocabulary.characters().addTokens(List.of("a", "bc")), "tokens[1] is 'bc', not one code point");
        fails(() -> Vocabulary.of(Kind.WORD, List.of(), null), "tokens is empty");
        fails(() -> Vocabulary.of(Kind.WORD, List.of("a", "b", "a"), null), "tokens[0] and tokens[2] are both 'a'");
        fails(() -> Vocabulary.of(Kind.WORD, List.of("a", "b"), Map.of(Special.PAD, 2)), "special token pad has id 2, expected an id in [0, 2)");
        fails(() -> Vocabulary.of(Kind.WORD, List.of("a", "b"), Map.of(Special.PAD, 1, Special.EOS, 1)), "special tokens pad and eos both have id 1");
        fails(() -> Vocabulary.ofCodePoints(97, 0x110000), "codePoints[1] is 1114112 (U+110000), not a Unicode scalar value");
        fails(() -> Vocabulary.ofCodePoints(97, 98, 97), "tokens[0] and tokens[2] are both 'a' (U+61)");
    }

    // ================================================================ storing

    private static SafeTensorsFile roundTrip(Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        return SafeTensors.read(SafeTensors.toBytes(tensors, metadata), "model.safetensors");
    }

    @Test
    void characterAndWordVocabulariesRoundTripThroughSafetensors(@TempDir Path dir) throws IOException {
        Vocabulary chars = Vocabulary.characters().pad().unk().bos().eos().build(List.of(TEXT, "\u0000 NUL in the corpus"));
        Vocabulary words = Vocabulary.words().pad().unk().addTokens(List.of("with space", "\"quoted\"", "<tag>", "日本語", "\\")).build();
        Vocabulary plain = Vocabulary.ofCodePoints('x', 'y', 0x1F600);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("weight", HostTensor.ofFloats(new float[] {1, 2}, 2));
        Map<String, String> metadata = new LinkedHashMap<>();
        chars.save("vocab", tensors, metadata);
        words.save("target_vocab", tensors, metadata);
        plain.save("plain", tensors, metadata);
        assertEquals(StoredType.I32, tensors.get("vocab").type());
        assertFalse(tensors.containsKey("target_vocab"), "a word vocabulary lives in the metadata only");
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, tensors, metadata);
        SafeTensorsFile f = SafeTensors.read(file);
        Vocabulary c2 = Vocabulary.load("vocab", f);
        assertEquals(chars, c2);
        assertEquals(chars.specials(), c2.specials());
        assertEquals(chars.encode(TEXT).length, c2.encode(TEXT).length);
        assertArrayEquals(chars.encode(TEXT), c2.encode(TEXT));
        assertEquals(words, Vocabulary.load("target_vocab", f));
        assertEquals(plain, Vocabulary.load("plain", f));
        assertEquals(words, Vocabulary.fromJson(words.toJson(), "json"));
        assertEquals(chars, Vocabulary.fromJson(chars.toJson(), "json"));
        assertTrue(words.toJson().contains("\"<tag>\""), words.toJson()); // not HTML-escaped
    }

    @Test
    void aBareTensorOfCodePointsLoadsAsTheOlderForm() throws IOException {
        // what rnn-examples' checkpoints hold: an I32 tensor of code points, no metadata
        int[] cps = {0, 'a', 'b', 0x1F600};
        SafeTensorsFile f = roundTrip(Map.of("vocab", HostTensor.ofInts(cps, 4)), Map.of());
        Vocabulary v = Vocabulary.load("vocab", f);
        assertEquals(Vocabulary.ofCodePoints(cps), v);
        assertTrue(v.specials().isEmpty());
        Vocabulary wide = Vocabulary.fromTensor(HostTensor.ofLongs(new long[] {'a', 'b'}, 2), "t");
        assertEquals(Vocabulary.ofCodePoints('a', 'b'), wide);
        assertArrayEquals(cps, v.toTensor().asInts());
    }

    private static void badTensor(HostTensor t, String expected) throws IOException {
        SafeTensorsFile f = roundTrip(Map.of("vocab", t), Map.of());
        VocabularyFormatException e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load("vocab", f));
        assertTrue(e.getMessage().startsWith("model.safetensors, tensor 'vocab'") && e.getMessage().contains(expected), e.getMessage());
        assertEquals("model.safetensors", e.source());
    }

    @Test
    void badTensorsAreRefused() throws IOException {
        badTensor(HostTensor.ofInts(new int[0], 0), "is empty (shape [0])");
        badTensor(HostTensor.ofInts(new int[] {'a', 'b', 'c', 'b'}, 4), "lists code point 98 'b' (U+62) at elements 1 and 3");
        badTensor(HostTensor.ofInts(new int[] {'a', -1}, 2), "element 1 is -1, not a Unicode scalar value");
        badTensor(HostTensor.ofInts(new int[] {'a', 0xDC00}, 2), "element 1 is 56320 (U+DC00), not a Unicode scalar value");
        badTensor(HostTensor.ofInts(new int[] {0x110000}, 1), "element 0 is 1114112 (U+110000)");
        badTensor(HostTensor.ofLongs(new long[] {'a', 5_000_000_000L}, 2), "element 1 is 5000000000 (U+12A05F200)");
        badTensor(HostTensor.ofFloats(new float[] {97, 98}, 2), "is stored as F32 [2]; a character vocabulary is an I32 or I64 tensor");
        badTensor(HostTensor.ofDoubles(new double[] {97}, 1), "is stored as F64");
        badTensor(HostTensor.ofInts(new int[] {97, 98, 99, 100}, 2, 2), "has shape [2, 2]; a character vocabulary is a tensor of rank 1");
        badTensor(HostTensor.ofInts(new int[] {97}), "has shape []");
    }

    private static void badMetadata(Map<String, HostTensor> tensors, String json, String expected) throws IOException {
        SafeTensorsFile f = roundTrip(tensors, Map.of("vocab", json));
        VocabularyFormatException e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load("vocab", f));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badMetadataIsRefused() throws IOException {
        Map<String, HostTensor> none = Map.of();
        Map<String, HostTensor> tensor = Map.of("vocab", HostTensor.ofInts(new int[] {'a', 'b'}, 2));
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"", "is not valid JSON");
        badMetadata(none, "[\"a\"]", "not a JSON object");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"]} x", "has content after its JSON object");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"]} {}", "has content after its JSON object");
        badMetadata(none, "{\"kind\": \"word\", 'tokens': [\"a\"]}", "is not valid JSON"); // strict: no single quotes
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"], \"size\": 1}", "has unknown key 'size'");
        badMetadata(none, "{\"tokens\": [\"a\"]}", "'kind' is missing, expected a string");
        badMetadata(none, "{\"kind\": \"bytes\", \"tokens\": [\"a\"]}", "has kind 'bytes'; expected 'character' or 'word'");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": \"a b\"}", "'tokens' is \"a b\", expected an array of strings");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\", 3]}", "tokens[1] is 3, expected a string");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": []}", "has no tokens");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\", \"\"]}", "tokens[1] is the empty string");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\", \"b\", \"a\"]}", "tokens[0] and tokens[2] are both 'a'");
        badMetadata(none, "{\"kind\": \"character\", \"tokens\": [\"a\", \"bc\"]}", "tokens[1] is 'bc', not one code point");
        badMetadata(none, "{\"kind\": \"word\"}", "has no 'tokens'");
        badMetadata(none, "{\"kind\": \"character\"}", "has no 'tokens' and there is no tensor of code points of that name");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"], \"specials\": {\"mask\": 0}}", "names special token 'mask'");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"], \"specials\": {\"pad\": 1}}", "special token pad has id 1, expected an id in [0, 1)");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"], \"specials\": {\"pad\": 0.5}}", "special 'pad' is 0.5, expected an integer id");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\"], \"specials\": [0]}", "'specials' is [0], expected an object");
        badMetadata(none, "{\"kind\": \"word\", \"tokens\": [\"a\", \"b\"], \"specials\": {\"pad\": 0, \"unk\": 0}}",
                "special tokens pad and unk both have id 0");
        badMetadata(tensor, "{\"kind\": \"word\", \"tokens\": [\"a\"]}", "describes a word vocabulary but the file also holds a tensor");
        badMetadata(tensor, "{\"kind\": \"character\", \"tokens\": [\"a\", \"b\"]}", "lists tokens and the file also holds a tensor");
        badMetadata(tensor, "{\"kind\": \"character\", \"specials\": {\"eos\": 2}}", "special token eos has id 2, expected an id in [0, 2)");
        badMetadata(Map.of("vocab", HostTensor.ofFloats(new float[] {1}, 1)), "{\"kind\": \"character\"}", "is stored as F32");
    }

    @Test
    void aMissingVocabularyNamesWhatTheFileHolds() throws IOException {
        SafeTensorsFile f = roundTrip(Map.of("weight", HostTensor.ofFloats(new float[] {1}, 1)), Map.of("config", "{}"));
        VocabularyFormatException e = assertThrows(VocabularyFormatException.class, () -> Vocabulary.load("vocab", f));
        assertTrue(e.getMessage().contains("model.safetensors holds no vocabulary 'vocab'") && e.getMessage().contains("[weight]")
                && e.getMessage().contains("[config]"), e.getMessage());
    }

    @Test
    void saveRefusesToOverwrite() {
        Vocabulary v = Vocabulary.ofCodePoints('a');
        Map<String, HostTensor> tensors = new HashMap<>();
        Map<String, String> metadata = new HashMap<>(Map.of("vocab", "{}"));
        fails(() -> v.save("vocab", tensors, metadata), "'vocab' is already in the metadata");
        assertTrue(tensors.isEmpty());
        fails(() -> v.save(SafeTensors.METADATA_KEY, tensors, new HashMap<>()), "expected a non-empty name other than __metadata__");
        tensors.put("v", HostTensor.ofInts(new int[] {1}, 1));
        Map<String, String> empty = new HashMap<>();
        fails(() -> v.save("v", tensors, empty), "'v' is already in the tensors");
        assertTrue(empty.isEmpty());
    }

    @Test
    void equalityAndDescription() {
        Vocabulary a = Vocabulary.characters().pad().build(List.of("ab\n"));
        Vocabulary b = Vocabulary.of(Kind.CHARACTER, List.of("\u0000", "\n", "a", "b"), Map.of(Special.PAD, 0));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(Vocabulary.of(Kind.CHARACTER, List.of("\u0000", "\n", "a", "b"), null)));
        assertFalse(a.equals(Vocabulary.of(Kind.WORD, List.of("\u0000", "\n", "a", "b"), Map.of(Special.PAD, 0))));
        assertEquals("Vocabulary[character, 4 tokens: '\\u0000' '\\u000A' 'a' 'b', pad=0]", a.toString());
    }
}
