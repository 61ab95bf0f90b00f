package dev.handoff.gateway.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the agent's output is cut into lines, whatever it prints. */
class AgentOutputPumpTest {

    record Line(String text, long cut) {
    }

    @Test
    void fiftyMegabytesWithoutALineEndAreReadAsOneLineOfFourThousandCharactersAndACount() {
        long size = 50_000_000L;
        List<Line> lines = new ArrayList<>();
        // generated as it is read: the test itself holds no 50 MB either
        AgentProcess.pump(new Repeat('x', size, "\nafter\n".getBytes(StandardCharsets.UTF_8)),
                (text, cut) -> lines.add(new Line(text, cut)));
        assertEquals(2, lines.size());
        assertEquals(AgentProcess.MAX_LINE_CHARS, lines.get(0).text().length());
        assertEquals(size - AgentProcess.MAX_LINE_CHARS, lines.get(0).cut());
        assertEquals(new Line("after", 0), lines.get(1));
    }

    @Test
    void aMillionShortLinesAreAMillionLinesInOrderAndALastLineWithoutItsEndCountsToo() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 1_000_000; i++) {
            out.append(i).append(i % 2 == 0 ? "\n" : "\r\n");
        }
        out.append("no line end");
        long[] count = {0};
        List<String> last = new ArrayList<>();
        AgentProcess.pump(new ByteArrayInputStream(out.toString().getBytes(StandardCharsets.UTF_8)), (text, cut) -> {
            if (count[0] < 1_000_000) {
                assertEquals(String.valueOf(count[0]), text);
            } else {
                last.add(text);
            }
            count[0]++;
        });
        assertEquals(1_000_001, count[0]);
        assertEquals(List.of("no line end"), last);
    }

    @Test
    void multiByteCharactersSplitAcrossReadsStayWhole() {
        String line = "a" + "é€😀".repeat(5000);
        List<Line> lines = new ArrayList<>();
        AgentProcess.pump(new ByteArrayInputStream((line + "\n").getBytes(StandardCharsets.UTF_8)), (t, c) -> lines.add(new Line(t, c)));
        assertEquals(1, lines.size());
        String kept = lines.get(0).text();
        assertTrue(line.startsWith(kept));
        assertTrue(!Character.isHighSurrogate(kept.charAt(kept.length() - 1)), "half a character at the cut");
        assertEquals(line.length(), lines.get(0).text().length() + lines.get(0).cut());
    }

    /** {@code count} times one byte, then a tail, produced as it is read. */
    private static final class Repeat extends InputStream {
        private final byte value;
        private final byte[] tail;
        private long left;
        private int tailAt;

        Repeat(char value, long count, byte[] tail) {
            this.value = (byte) value;
            this.left = count;
            this.tail = tail;
        }

        @Override
        public int read() {
            if (left > 0) {
                left--;
                return value;
            }
            return tailAt < tail.length ? tail[tailAt++] : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (left > 0) {
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, value);
                left -= n;
                return n;
            }
            if (tailAt >= tail.length) {
                return -1;
            }
            int n = Math.min(len, tail.length - tailAt);
            System.arraycopy(tail, tailAt, b, off, n);
            tailAt += n;
            return n;
        }
    }
}
