package dev.handoff.gateway.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What a command printed, kept within a fixed amount of memory however much it prints: the first {@code maxHead}
 * bytes and the last {@code maxTail} bytes; everything in between is counted and dropped. A 300 MB diff costs the
 * gateway {@code maxHead + maxTail} bytes, never its size.
 */
final class BoundedOutput {

    private final byte[] head;
    private final byte[] tail;
    private int headLength;
    /** Ring buffer of the bytes after the head: {@code tailStart} is where the oldest kept byte is once it is full. */
    private int tailLength;
    private int tailStart;
    private long total;

    BoundedOutput(int maxHead, int maxTail) {
        this.head = new byte[maxHead];
        this.tail = new byte[maxTail];
    }

    /** Reads the stream to its end (or until it fails), keeping what fits. */
    void drain(InputStream in) {
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                write(buffer, 0, n);
            }
        } catch (IOException closed) {
            // the process ended or was stopped; what was read so far is what it printed
        }
    }

    synchronized void write(byte[] bytes, int offset, int length) {
        total += length;
        int toHead = Math.min(length, head.length - headLength);
        System.arraycopy(bytes, offset, head, headLength, toHead);
        headLength += toHead;
        for (int i = offset + toHead; i < offset + length && tail.length > 0; i++) {
            if (tailLength < tail.length) {
                tail[tailLength++] = bytes[i];
            } else {
                tail[tailStart] = bytes[i];
                tailStart = (tailStart + 1) % tail.length;
            }
        }
    }

    /** How many bytes were printed in all. */
    synchronized long total() {
        return total;
    }

    /** Whether some of the output was dropped (or is only in the tail). */
    synchronized boolean truncated() {
        return total > headLength;
    }

    /** The first bytes, as text (a character cut at the end is dropped). */
    synchronized String head() {
        return decode(head, headLength);
    }

    /** The last bytes printed (the whole output when it fitted the head), as text. */
    synchronized String tail() {
        if (!truncated()) {
            return head();
        }
        byte[] ordered = new byte[tailLength];
        int firstPart = tailLength - tailStart;
        System.arraycopy(tail, tailStart, ordered, 0, firstPart);
        System.arraycopy(tail, 0, ordered, firstPart, tailStart);
        // the first character may be cut: skip UTF-8 continuation bytes
        int start = 0;
        while (start < ordered.length && (ordered[start] & 0xC0) == 0x80) {
            start++;
        }
        return decode(java.util.Arrays.copyOfRange(ordered, start, ordered.length), ordered.length - start);
    }

    private static String decode(byte[] bytes, int length) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        CharBuffer out = CharBuffer.allocate(length);
        // endOfInput false: an incomplete character at the end is left out instead of turned into a replacement
        decoder.decode(ByteBuffer.wrap(bytes, 0, length), out, false);
        out.flip();
        return out.toString();
    }
}
