package org.rnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.rnn4j.examples.data.NamesData;
import org.rnn4j.examples.data.Series;

class DataTest {
    @Test
    void airlineSeries() {
        Series s = Series.airline();
        assertEquals(144, s.size());
        assertEquals(112, s.values()[0]);
        assertEquals("1960-12", s.labels().get(143));
    }

    @Test
    void csvQuotesAndColumnChoice() {
        Series s = Series.parseCsv("\"a,b\",x,y\n\"1,2\",3,4\n5,6,7\n", "t.csv", "X");
        assertArrayEquals(new double[] {3, 6}, s.values());
        assertEquals("1,2", s.labels().get(0));
        assertArrayEquals(new double[] {4, 7}, Series.parseCsv("a,b,c\n1,2,4\n1,2,7\n", "t.csv", null).values());
    }

    @Test
    void namesAreNormalisedAndSplitStratified() {
        assertEquals("Smigielski", NamesData.normalize("Śmigielski"));
        NamesData d = NamesData.bundled();
        assertEquals(18, d.languages().size());
        NamesData.Split a = d.split(1, 0.1, 0.1);
        NamesData.Split b = d.split(1, 0.1, 0.1);
        assertEquals(a, b, "seeded");
        assertEquals(d.examples().size(), a.train().size() + a.validation().size() + a.test().size());
        Set<Integer> testLabels = new HashSet<>();
        a.test().forEach(e -> testLabels.add(e.label()));
        assertEquals(18, testLabels.size(), "every language is in the test set");
        long russianTest = a.test().stream().filter(e -> d.languages().get(e.label()).equals("Russian")).count();
        assertEquals(Math.round(9408 * 0.1), russianTest, 1);
    }
}
