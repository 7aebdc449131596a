package dev.landlockagent.policy;

import java.util.List;

/** A JSON value with the place it was written, so that every validation error can point at it. */
public sealed interface Json {
    Location at();

    /** A JSON type name for messages: object, array, string, number, boolean or null. */
    String typeName();

    record Member(String key, Location keyAt, Json value) {
    }

    record JObject(Location at, List<Member> members) implements Json {
        public String typeName() {
            return "object";
        }

        public Member member(String key) {
            for (Member m : members) {
                if (m.key().equals(key)) {
                    return m;
                }
            }
            return null;
        }
    }

    record JArray(Location at, List<Json> elements) implements Json {
        public String typeName() {
            return "array";
        }
    }

    record JString(Location at, String value) implements Json {
        public String typeName() {
            return "string";
        }
    }

    /**
     * A number as written. {@code integral} is true when the literal is an integer that fits a
     * long, and then {@code value} is it exactly. (No BigDecimal: its class initialisation alone
     * costs ~17 ms on a cold JVM.)
     */
    record JNumber(Location at, String text, boolean integral, long value) implements Json {
        public String typeName() {
            return "number";
        }

        public static JNumber of(Location at, String literal) {
            try {
                return new JNumber(at, literal, true, Long.parseLong(literal));
            } catch (NumberFormatException e) {
                // a fraction, an exponent ("1e3", "1.0"), or beyond a long
                return new JNumber(at, literal, false, 0);
            }
        }

        /** The value when it is an integer within [min, max]; else null. */
        public Long inRange(long min, long max) {
            return integral && value >= min && value <= max ? value : null;
        }
    }

    record JBoolean(Location at, boolean value) implements Json {
        public String typeName() {
            return "boolean";
        }
    }

    record JNull(Location at) implements Json {
        public String typeName() {
            return "null";
        }
    }
}
