package dev.landlockagent.policy;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a policy document into a located {@link Json} tree with Gson's streaming reader in strict
 * (RFC 8259) mode. Syntax errors, duplicate keys, invalid UTF-8 and oversized input become a
 * {@link PolicyException} that names the line and column.
 *
 * <p>Gson rather than Jackson: on a cold JVM, which is every JVM the agent starts in, Jackson's
 * factory and first parse cost ~55 ms and Gson's reader ~6 ms (measured here); the policy is read
 * on every start.
 */
public final class JsonReader {
    /** Policies are shallow; a deeper document is a mistake or an attack on the parser. */
    static final int MAX_DEPTH = 32;
    static final int MAX_BYTES = 16 * 1024 * 1024;

    private JsonReader() {
    }

    public static Json read(byte[] document, String origin) throws PolicyException {
        if (document.length > MAX_BYTES) {
            throw syntax(new Location(origin, 1, 1), "the document has " + document.length
                    + " bytes, more than the " + MAX_BYTES + " a policy may have", "split or shorten the policy");
        }
        String text = utf8(document, origin);
        Lines lines = new Lines(text, origin);
        if (text.isBlank()) {
            throw syntax(lines.at(0), "the document is empty", "write a JSON object such as {\"version\": 1}");
        }
        com.google.gson.stream.JsonReader reader = new com.google.gson.stream.JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        reader.setNestingLimit(MAX_DEPTH);
        try {
            if (reader.peek() == JsonToken.END_DOCUMENT) {
                throw syntax(lines.at(0), "the document is empty", "write a JSON object such as {\"version\": 1}");
            }
            Json root = new Builder(reader, lines, text).value(0);
            int end = (int) reader.getCharacterOffset();
            boolean more;
            try {
                more = reader.peek() != JsonToken.END_DOCUMENT;
            } catch (MalformedJsonException e) {
                more = true; // strict mode: "multiple top-level values"
            }
            if (more) {
                throw syntax(lines.at(Builder.skipSeparators(text, end)),
                        "unexpected content after the top-level value", "remove everything after the closing '}'");
            }
            return root;
        } catch (MalformedJsonException | EOFException e) {
            Location at = lines.at(Math.max(0, (int) reader.getCharacterOffset() - 1));
            throw syntax(at, describe(e), fixFor(e));
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            Location at = lines.at(Math.max(0, (int) reader.getCharacterOffset() - 1));
            throw syntax(at, describe(e), "correct the JSON syntax at that place");
        }
    }

    private static String utf8(byte[] document, String origin) throws PolicyException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(document);
        CharBuffer out = CharBuffer.allocate(document.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int bad = in.position();
            String prefix = new String(document, 0, bad, StandardCharsets.UTF_8);
            throw syntax(new Lines(prefix, origin).at(prefix.length()), "the document is not valid UTF-8 (byte "
                    + (bad + 1) + ")", "save the policy as UTF-8");
        }
        decoder.flush(out);
        String s = out.flip().toString();
        // A byte order mark is not JSON; keep the columns of the first line by replacing it with a space.
        return s.startsWith("\uFEFF") ? " " + s.substring(1) : s;
    }

    /** Builds the tree, recording where each value starts. */
    private static final class Builder {
        private final com.google.gson.stream.JsonReader reader;
        private final Lines lines;
        private final String text;

        Builder(com.google.gson.stream.JsonReader reader, Lines lines, String text) {
            this.reader = reader;
            this.lines = lines;
            this.text = text;
        }

        /** Between two tokens JSON has only white space, ':' and ','. */
        static int skipSeparators(String text, int from) {
            int i = from;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == ',') {
                    i++;
                } else {
                    break;
                }
            }
            return i;
        }

        private int offset() {
            return (int) reader.getCharacterOffset();
        }

        /**
         * The value whose text starts after {@code before}: the reader's offset before anything
         * peeked at it (a peek consumes the opening quote or bracket).
         */
        Json value(int before) throws IOException, PolicyException {
            Location at = lines.at(skipSeparators(text, before));
            JsonToken token = reader.peek();
            switch (token) {
                case BEGIN_OBJECT -> {
                    reader.beginObject();
                    List<Json.Member> members = new ArrayList<>();
                    Map<String, Location> seen = new HashMap<>();
                    int next = offset();
                    while (reader.hasNext()) {
                        Location keyAt = lines.at(skipSeparators(text, next));
                        String key = reader.nextName();
                        Location first = seen.putIfAbsent(key, keyAt);
                        if (first != null) {
                            throw syntax(keyAt, "duplicate key \"" + key + "\" (first at line " + first.line()
                                    + ", column " + first.column() + ")",
                                    "a key may appear once per object: remove or merge the repeated one");
                        }
                        members.add(new Json.Member(key, keyAt, value(offset())));
                        next = offset();
                    }
                    reader.endObject();
                    return new Json.JObject(at, List.copyOf(members));
                }
                case BEGIN_ARRAY -> {
                    reader.beginArray();
                    List<Json> elements = new ArrayList<>();
                    int next = offset();
                    while (reader.hasNext()) {
                        elements.add(value(next));
                        next = offset();
                    }
                    reader.endArray();
                    return new Json.JArray(at, List.copyOf(elements));
                }
                case STRING -> {
                    return new Json.JString(at, reader.nextString());
                }
                case NUMBER -> {
                    String literal = reader.nextString();
                    return Json.JNumber.of(at, literal);
                }
                case BOOLEAN -> {
                    return new Json.JBoolean(at, reader.nextBoolean());
                }
                case NULL -> {
                    reader.nextNull();
                    return new Json.JNull(at);
                }
                default -> throw syntax(at, "unexpected " + token, "correct the JSON syntax at that place");
            }
        }
    }

    /** Turns a character offset into a line and column. */
    private static final class Lines {
        private final int[] starts;
        private final String origin;

        Lines(String text, String origin) {
            this.origin = origin;
            int[] s = new int[16];
            int n = 1;
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == '\n') {
                    if (n == s.length) {
                        s = Arrays.copyOf(s, n * 2);
                    }
                    s[n++] = i + 1;
                }
            }
            this.starts = Arrays.copyOf(s, n);
        }

        Location at(int offset) {
            int i = Arrays.binarySearch(starts, offset);
            int line = i >= 0 ? i : -i - 2;
            return new Location(origin, line + 1, offset - starts[line] + 1);
        }
    }

    private static PolicyException syntax(Location at, String problem, String fix) {
        return new PolicyException("policy " + at.origin() + " is not valid JSON", new PolicyProblem(at, "", problem, fix));
    }

    /** Gson's message without its own location and troubleshooting link, which the Location replaces. */
    private static String describe(Exception e) {
        String m = String.valueOf(e.getMessage());
        int cut = m.indexOf(" at line ");
        if (cut < 0) {
            cut = m.indexOf(" at path ");
        }
        if (cut >= 0) {
            m = m.substring(0, cut);
        }
        int see = m.indexOf("\nSee ");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        if (e instanceof EOFException) {
            return "the document ends too early (" + m.replace("End of input", "end of input") + ")";
        }
        return m.isEmpty() ? "invalid JSON" : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }

    private static String fixFor(Exception e) {
        String m = String.valueOf(e.getMessage());
        if (e instanceof EOFException || m.contains("End of input")) {
            return "close every '{' and '[' and finish the last value";
        }
        if (m.contains("Nesting limit")) {
            return "a policy is at most " + MAX_DEPTH + " levels deep: simplify it";
        }
        if (m.contains("Unterminated")) {
            return "close the string or the list";
        }
        if (m.contains("Expected name")) {
            return "write keys in double quotes, e.g. \"version\": 1, and remove any trailing comma";
        }
        if (m.contains("Use JsonReader.setStrictness") || m.contains("malformed JSON")) {
            return "JSON needs double-quoted strings and keys, no comments, no trailing commas";
        }
        return "correct the JSON syntax at that place";
    }
}
