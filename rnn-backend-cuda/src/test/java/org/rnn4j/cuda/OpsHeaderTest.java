package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Ops} and {@code src/main/cuda/ops.h} define the same codes and constants. */
class OpsHeaderTest {

    @Test
    void everyHeaderConstantHasTheSameValueInJava() throws IOException, IllegalAccessException {
        Map<String, Integer> header = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^#define RNN4J_([A-Z0-9_]+) (\\d+)\\s*$").matcher(Files.readString(Path.of("src/main/cuda/ops.h")));
        while (m.find()) {
            header.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        Map<String, Integer> java = new HashMap<>();
        for (Field f : Ops.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                java.put(f.getName(), f.getInt(null));
            }
        }
        assertTrue(header.size() >= 30, "parsed " + header);
        assertEquals(header, java, "ops.h and Ops.java differ");
    }
}
