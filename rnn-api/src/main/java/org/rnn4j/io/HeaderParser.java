package org.rnn4j.io;

import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.rnn4j.tensor.Shapes;

/**
 * Parses and validates a safetensors header in one streaming pass over Gson's strict
 * {@link JsonReader}, without building a JSON tree: nesting is bounded ({@link SafeTensors#MAX_JSON_DEPTH})
 * before any value is described, a key given twice in any object is an error, every value a message
 * quotes is cut to a bounded excerpt, and shape arrays are bounded ({@link SafeTensors#MAX_RANK}). So a
 * hostile header costs time and memory in proportion to its length, never a stack overflow or a huge
 * message.
 */
final class HeaderParser {
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");

    /** The validated header: entries in header order and the metadata. */
    record Parsed(List<SafeTensorsIndex.Entry> entries, Map<String, String> metadata) {
    }

    private final String source;
    private final JsonReader reader;
    /** The tensor whose entry is being read, or null (for exceptions). */
    private String tensor;

    private HeaderParser(String source, String json) {
        this.source = source;
        this.reader = new JsonReader(new StringReader(json));
        reader.setStrictness(Strictness.STRICT);
    }

    /** Decodes, parses and validates {@code bytes}; checks each entry alone, not the layout. */
    static Parsed parse(String source, byte[] bytes) throws SafeTensorsFormatException {
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsFormatException(source, null, source + ": header (" + bytes.length
                    + " bytes) is not valid UTF-8; the file is corrupt or not safetensors", e);
        }
        HeaderParser p = new HeaderParser(source, json);
        try {
            return p.header();
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new SafeTensorsFormatException(source, null, source + ": header is not valid JSON: " + Excerpt.of(e.getMessage()), e);
        }
    }

    private Parsed header() throws IOException {
        JsonToken first = reader.peek();
        if (first != JsonToken.BEGIN_OBJECT) {
            throw fail(null, source + ": header is a JSON " + describe(first)
                    + ", expected a JSON object mapping tensor names to {dtype, shape, data_offsets}");
        }
        List<SafeTensorsIndex.Entry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String name = reader.nextName();
            boolean meta = name.equals(SafeTensors.METADATA_KEY);
            if (!seen.add(name)) {
                throw fail(meta ? null : name, source + ": header has "
                        + (meta ? "\"" + SafeTensors.METADATA_KEY + "\"" : "tensor '" + Excerpt.of(name) + "'") + " twice; names must be unique");
            }
            if (meta) {
                metadata(metadata);
            } else {
                tensor = name;
                entries.add(entry(name));
                tensor = null;
            }
        }
        reader.endObject();
        boolean trailing;
        try {
            trailing = reader.peek() != JsonToken.END_DOCUMENT;
        } catch (IOException e) {
            trailing = true; // strict mode refuses a second top-level value or stray characters
        }
        if (trailing) {
            throw fail(null, source + ": header has content after its JSON object; only space padding may follow the closing brace");
        }
        return new Parsed(entries, metadata);
    }

    private void metadata(Map<String, String> out) throws IOException {
        String at = source + ": \"" + SafeTensors.METADATA_KEY + "\"";
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw fail(null, at + " is " + describe(value(2, at)) + ", expected an object mapping strings to strings");
        }
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (out.containsKey(key)) {
                throw fail(null, at + " has the key '" + Excerpt.of(key) + "' twice; metadata keys must be unique");
            }
            if (reader.peek() == JsonToken.STRING) {
                out.put(key, reader.nextString());
            } else {
                Value v = value(3, at + " entry '" + Excerpt.of(key) + "'");
                throw fail(null, at + " entry '" + Excerpt.of(key) + "' is " + describe(v) + ", expected a string (metadata values are strings)");
            }
        }
        reader.endObject();
    }

    private SafeTensorsIndex.Entry entry(String name) throws IOException {
        String at = source + ": tensor '" + Excerpt.of(name) + "'";
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw fail(name, at + " is " + describe(value(2, at)) + ", expected an object with \"dtype\", \"shape\" and \"data_offsets\"");
        }
        Map<String, Value> fields = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (fields.containsKey(key)) {
                throw fail(name, at + " has \"" + Excerpt.of(key) + "\" twice; each field must appear once");
            }
            Value v = value(3, at);
            fields.put(key, isField(key) ? v : Value.SKIPPED); // the values of unknown fields are not kept
        }
        reader.endObject();
        for (String field : new String[] {"dtype", "shape", "data_offsets"}) {
            Value v = fields.get(field);
            if (v == null || v.kind == JsonToken.NULL) {
                throw fail(name, at + " lacks \"" + field + "\"; each entry needs \"dtype\", \"shape\" and \"data_offsets\" (it has "
                        + SafeTensorsFile.listNames(fields.keySet()) + ")");
            }
        }
        Value dt = fields.get("dtype");
        if (dt.kind != JsonToken.STRING) {
            throw fail(name, at + " has \"dtype\" " + describe(dt) + ", expected a string such as \"F32\"");
        }
        StoredType type = StoredType.lookup(dt.string);
        if (type == null) {
            throw fail(name, at + " has unsupported dtype '" + Excerpt.of(dt.string) + "'; supported: " + StoredType.supportedNames());
        }
        Value sh = fields.get("shape");
        if (sh.kind != JsonToken.BEGIN_ARRAY) {
            throw fail(name, at + " has \"shape\" " + describe(sh) + ", expected an array of extents such as [4, 3]");
        }
        integers(name, at, "shape", sh);
        if (sh.count > SafeTensors.MAX_RANK) {
            throw fail(name, at + " has a shape of " + sh.count + " extents; at most " + SafeTensors.MAX_RANK + " are supported");
        }
        int[] shape = new int[sh.count];
        for (int i = 0; i < shape.length; i++) {
            long d = sh.ints[i];
            if (d < 0) {
                throw fail(name, at + " has a negative extent " + d + " in shape " + sh.text + "; extents must be >= 0");
            }
            if (d > Integer.MAX_VALUE) {
                throw fail(name, at + " has extent " + d + " in shape " + sh.text + ", more than the largest supported (" + Integer.MAX_VALUE + ")");
            }
            shape[i] = (int) d;
        }
        long count = HostTensor.elementCount(shape);
        if (count > HostTensor.MAX_ELEMENTS) {
            throw fail(name, at + " has shape " + Shapes.str(shape) + " = " + (count == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(count))
                    + " elements; at most " + HostTensor.MAX_ELEMENTS + " fit a Java array");
        }
        Value off = fields.get("data_offsets");
        if (off.kind != JsonToken.BEGIN_ARRAY || off.count != 2) {
            throw fail(name, at + " has \"data_offsets\" " + describe(off) + ", expected an array of two byte offsets [begin, end]");
        }
        integers(name, at, "data_offsets", off);
        long begin = off.ints[0];
        long end = off.ints[1];
        if (begin < 0 || end < 0) {
            throw fail(name, at + " has negative data_offsets " + off.text + "; offsets must be >= 0");
        }
        if (begin > end) {
            throw fail(name, at + " has data_offsets " + off.text + " with begin after end; expected [begin, end] with begin <= end");
        }
        long declared = count * type.byteSize(); // count <= 2^31, size <= 8: no overflow
        if (end - begin != declared) {
            throw fail(name, at + " declares " + declared + " bytes (shape " + Shapes.str(shape) + ", " + type + ") but data_offsets "
                    + off.text + " span " + (end - begin));
        }
        return new SafeTensorsIndex.Entry(name, type, shape, (int) count, begin, end);
    }

    private static boolean isField(String key) {
        return key.equals("dtype") || key.equals("shape") || key.equals("data_offsets");
    }

    /** Throws unless every element of the array {@code v} is an integer that fits 64 bits. */
    private void integers(String name, String at, String field, Value v) throws SafeTensorsFormatException {
        if (v.badElement != null) {
            throw fail(name, at + " has \"" + field + "\" " + v.text + " with element " + v.badElement + ", expected integers that fit 64 bits");
        }
    }

    // ---------------------------------------------------------------- bounded values

    /**
     * A JSON value read (and consumed) for validation or for a message: its kind, a compact rendering of
     * at most about {@link Excerpt#MAX_CHARS} characters, a string's full value, and for an array its
     * element count, its first {@link SafeTensors#MAX_RANK} integer elements and its first element that
     * is not an integer fitting 64 bits.
     */
    private static final class Value {
        static final Value SKIPPED = new Value(JsonToken.NULL);

        final JsonToken kind;
        String text;
        String string;
        int count;
        long[] ints;
        String badElement;

        Value(JsonToken kind) {
            this.kind = kind;
        }
    }

    /** A string builder that keeps the first {@link Excerpt#MAX_CHARS} characters and notes the cut. */
    private static final class Bounded {
        private final StringBuilder sb = new StringBuilder();
        private boolean cut;

        Bounded append(String s) {
            int room = Excerpt.MAX_CHARS - sb.length();
            if (s.length() <= room) {
                sb.append(s);
            } else {
                sb.append(s, 0, Math.max(0, room));
                cut = true;
            }
            return this;
        }

        @Override
        public String toString() {
            return cut ? sb + "..." : sb.toString();
        }
    }

    /**
     * Reads the next value, which sits at nesting level {@code depth} (the header object is level 1),
     * refusing nesting beyond {@link SafeTensors#MAX_JSON_DEPTH} before anything is built from it.
     */
    private Value value(int depth, String where) throws IOException {
        if (depth > SafeTensors.MAX_JSON_DEPTH) {
            throw fail(tensor, source + ": header nests JSON more than " + SafeTensors.MAX_JSON_DEPTH + " levels deep (in "
                    + where + "); a safetensors header needs 3, so the file is corrupt or not safetensors");
        }
        JsonToken kind = reader.peek();
        Value v = new Value(kind);
        switch (kind) {
            case BEGIN_ARRAY: {
                Bounded text = new Bounded().append("[");
                long[] ints = new long[4];
                reader.beginArray();
                while (reader.hasNext()) {
                    if (v.count > 0) {
                        text.append(",");
                    }
                    String element;
                    Long integer = null;
                    if (reader.peek() == JsonToken.NUMBER) {
                        String lexeme = reader.nextString();
                        element = Excerpt.of(lexeme, 40);
                        integer = integer(lexeme);
                        if (integer == null && v.badElement == null) {
                            v.badElement = element;
                        }
                    } else {
                        element = value(depth + 1, where).text;
                        if (v.badElement == null) {
                            v.badElement = element;
                        }
                    }
                    text.append(element);
                    if (integer != null && v.count < SafeTensors.MAX_RANK) {
                        if (v.count == ints.length) {
                            ints = Arrays.copyOf(ints, 2 * ints.length);
                        }
                        ints[v.count] = integer;
                    }
                    v.count++;
                }
                reader.endArray();
                v.ints = ints;
                v.text = text.append("]").toString();
                return v;
            }
            case BEGIN_OBJECT: {
                Bounded text = new Bounded().append("{");
                Set<String> keys = new HashSet<>();
                reader.beginObject();
                while (reader.hasNext()) {
                    String key = reader.nextName();
                    if (!keys.add(key)) {
                        throw fail(tensor, source + ": header has the key '" + Excerpt.of(key) + "' twice in one object (in " + where
                                + "); keys must be unique");
                    }
                    text.append(keys.size() > 1 ? "," : "").append(quote(Excerpt.of(key, 40))).append(":").append(value(depth + 1, where).text);
                    v.count++;
                }
                reader.endObject();
                v.text = text.append("}").toString();
                return v;
            }
            case STRING:
                v.string = reader.nextString();
                v.text = quote(Excerpt.of(v.string));
                return v;
            case NUMBER:
                v.text = Excerpt.of(reader.nextString(), 40);
                return v;
            case BOOLEAN:
                v.text = Boolean.toString(reader.nextBoolean());
                return v;
            case NULL:
                reader.nextNull();
                v.text = "null";
                return v;
            default:
                throw new IOException("unexpected " + kind + " at " + reader.getPath());
        }
    }

    /** A JSON number's text as a long when it is an integer that fits, else null. */
    private static Long integer(String lexeme) {
        if (INTEGER.matcher(lexeme).matches()) {
            try {
                return Long.parseLong(lexeme);
            } catch (NumberFormatException ignored) {
                // too large
            }
        }
        return null;
    }

    private static String quote(String s) {
        return new JsonPrimitive(s).toString();
    }

    private static String describe(Value v) {
        switch (v.kind) {
            case BEGIN_OBJECT:
                return "an object";
            case BEGIN_ARRAY:
                return "an array " + v.text;
            case STRING:
                return "the string " + v.text;
            case NUMBER:
                return "the number " + v.text;
            case BOOLEAN:
                return "the boolean " + v.text;
            default:
                return "null";
        }
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case BEGIN_ARRAY:
                return "array";
            case BEGIN_OBJECT:
                return "object";
            case STRING:
                return "string";
            case NUMBER:
                return "number";
            case BOOLEAN:
                return "boolean";
            case NULL:
                return "null";
            case END_DOCUMENT:
                return "end of document";
            default:
                return t.toString();
        }
    }

    private SafeTensorsFormatException fail(String tensorName, String message) {
        return new SafeTensorsFormatException(source, tensorName, message);
    }
}
