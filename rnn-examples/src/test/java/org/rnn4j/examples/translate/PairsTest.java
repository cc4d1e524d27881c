package org.rnn4j.examples.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rnn4j.examples.cli.UserError;

/** The tutorial's normalisation and the pair-file parsing. */
class PairsTest {
    @Test
    void normalisesAsPyTorchsTutorial() {
        // expected values printed by the tutorial's own code (unicodeToAscii + normalizeString, Python 3.11)
        assertEquals("j ai froid .", Pairs.normalize("J'ai froid."));
        assertEquals("ca va ?", Pairs.normalize("Ça va?"));
        assertEquals("il est tres grand !", Pairs.normalize("  Il est TRÈS grand !  "));
        assertEquals("qu est ce que c est ?", Pairs.normalize("Qu'est-ce que c'est?"));
        assertEquals("i m feet tall . . .", Pairs.normalize("I'm 6 feet tall..."));
        assertEquals("eleve uvre naive noel .", Pairs.normalize("Élève, œuvre, naïve, Noël."));
        assertEquals("", Pairs.normalize("123 ;"));
        assertEquals("tom s book ! ?", Pairs.normalize("Tom's \"book\" — 3€!?"));
    }

    @Test
    void parsesPairsInBothDirections() {
        String text = "\uFEFFI'm OK.\tJe vais bien.\r\n\nHe's tall.\tIl est grand.\tCC-BY 2.0 (France) Attribution: tatoeba.org\n42\t42\n"
                + "We're here.\tNous sommes là.\n".repeat(9);
        Pairs.Loaded fr = Pairs.parse(text, "t.txt", false, "--pairs");
        assertEquals(11, fr.pairs().size());
        assertEquals(1, fr.skipped(), "the pair of numbers is empty after normalisation");
        assertEquals(new Pairs.Pair("je vais bien .", "i m ok .", 1), fr.pairs().get(0));
        assertEquals(new Pairs.Pair("il est grand .", "he s tall .", 3), fr.pairs().get(1));
        Pairs.Loaded en = Pairs.parse(text, "t.txt", true, "--pairs");
        assertEquals(new Pairs.Pair("i m ok .", "je vais bien .", 1), en.pairs().get(0));
        assertEquals(new Pairs.Pair("we re here .", "nous sommes la .", 5), en.pairs().get(2));
        assertEquals(List.of(11822, 0), List.of(Pairs.bundled(false).pairs().size(), Pairs.bundled(false).skipped()));
    }

    @Test
    void badFilesAreNamedWithTheLine() {
        UserError e = assertThrows(UserError.class, () -> Pairs.parse(" \n\n", "e.txt", false, "--pairs"));
        assertTrue(e.getMessage().startsWith("e.txt is empty"), e.getMessage());
        e = assertThrows(UserError.class, () -> Pairs.parse("a\tb\nno tab here\n", "x.txt", false, "--pairs"));
        assertTrue(e.getMessage().startsWith("x.txt line 2 has no tab: 'no tab here'"), e.getMessage());
        e = assertThrows(UserError.class, () -> Pairs.parse("a\tb\n1\t2\n", "few.txt", false, "--pairs"));
        assertTrue(e.getMessage().contains("holds 1 usable sentence pair "), e.getMessage());
    }
}
