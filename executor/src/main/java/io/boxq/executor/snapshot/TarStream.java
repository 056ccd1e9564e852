package io.boxq.executor.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies a tar stream (GNU or ustar, as GNU and BusyBox tar write it) entry by entry, letting a
 * {@link Policy} rewrite each entry's mode or leave the entry out, and stops at the end-of-archive
 * blocks. It never holds more than one block plus a long name in memory, and it counts what it reads,
 * so a stream past its limit is cut off as soon as it passes it.
 */
final class TarStream {
    static final int BLOCK = 512;
    /** GNU tar's default record: the archive is padded to a whole one, as tar itself does. */
    static final int RECORD = 20 * BLOCK;
    /** A long name or pax header larger than this is not a workspace path. */
    private static final int MAX_META = 64 * 1024;

    /** Decides an entry's mode as written, or leaves it out. */
    interface Policy {
        /**
         * @param name the entry's path as tar gives it ({@code ./a/b}; a directory without its trailing slash)
         * @param type the tar type flag ({@code '0'} file, {@code '5'} directory, {@code '2'} symlink …)
         * @return the permission bits to write, or -1 to leave the entry out
         */
        int mode(String name, char type, int mode);
    }

    /** The stream passed its limit. */
    static final class TooLargeException extends IOException {
        TooLargeException(long limit) {
            super("the workspace is larger than " + limit + " bytes");
        }
    }

    private TarStream() {}

    /**
     * Copies {@code in} to {@code out} through {@code policy}.
     *
     * @return the bytes read (the archive's size)
     * @throws TooLargeException when more than {@code maxBytes} would be read
     * @throws IOException when the stream ends before its end-of-archive blocks
     */
    static long copy(InputStream in, OutputStream out, Policy policy, long maxBytes) throws IOException {
        long read = 0;
        long written = 0;
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        String longName = null;
        byte[] block = new byte[BLOCK];
        while (true) {
            read += readBlock(in, block, read, maxBytes);
            if (isZero(block)) {
                long end = written + 2L * BLOCK;
                out.write(new byte[(int) (2 * BLOCK + (RECORD - end % RECORD) % RECORD)]);
                return read;
            }
            char type = (char) block[156];
            long size = size(block);
            if (type == 'L' || type == 'x' || type == 'K') { // metadata for the next entry: held until it is decided
                if (size > MAX_META) {
                    throw new IOException("a tar name header of " + size + " bytes");
                }
                meta.write(block);
                byte[] data = new byte[(int) padded(size)];
                read += readFully(in, data, read, maxBytes);
                meta.write(data);
                String name = type == 'L' ? cString(data, (int) size) : type == 'x' ? paxPath(data, (int) size) : null;
                longName = name != null ? name : longName;
                continue;
            }
            String name = normalize(longName != null ? longName : headerName(block));
            int mode = (int) octal(block, 100, 8);
            int wanted = type == 'g' ? mode : policy.mode(name, type, mode);
            if (wanted < 0) {
                read += skip(in, padded(size), read, maxBytes);
            } else {
                if (wanted != mode) {
                    setMode(block, wanted);
                }
                out.write(meta.toByteArray());
                out.write(block);
                written += meta.size() + BLOCK;
                long data = padded(size);
                read += pipe(in, out, data, read, maxBytes);
                written += data;
            }
            meta.reset();
            longName = null;
        }
    }

    private static long readBlock(InputStream in, byte[] block, long read, long maxBytes) throws IOException {
        return readFully(in, block, read, maxBytes);
    }

    private static long readFully(InputStream in, byte[] buf, long read, long maxBytes) throws IOException {
        if (read + buf.length > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
        if (in.readNBytes(buf, 0, buf.length) < buf.length) {
            throw new IOException("the archive ended early");
        }
        return buf.length;
    }

    private static long pipe(InputStream in, OutputStream out, long n, long read, long maxBytes) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int chunk = (int) Math.min(buf.length, left);
            if (read + (n - left) + chunk > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
            if (in.readNBytes(buf, 0, chunk) < chunk) {
                throw new IOException("the archive ended early");
            }
            out.write(buf, 0, chunk);
            left -= chunk;
        }
        return n;
    }

    private static long skip(InputStream in, long n, long read, long maxBytes) throws IOException {
        return pipe(in, OutputStream.nullOutputStream(), n, read, maxBytes);
    }

    static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The size field: octal, or base-256 (GNU) when its first byte has the high bit set. */
    static long size(byte[] h) {
        if ((h[124] & 0x80) != 0) {
            long v = 0;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        return octal(h, 124, 12);
    }

    static long octal(byte[] h, int off, int len) {
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte b = h[i];
            if (b >= '0' && b <= '7') {
                v = v * 8 + (b - '0');
            } else if (b == 0 || (b == ' ' && v > 0)) {
                break;
            }
        }
        return v;
    }

    private static void setMode(byte[] h, int mode) {
        byte[] field = String.format("%07o\0", mode & 07777).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, h, 100, 8);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] check = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(check, 0, h, 148, 8);
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar && h[345] != 0 ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] b, int len) {
        return cString(b, 0, len);
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** The {@code path} record of a pax header ({@code "<len> path=<value>\n"}), or null. */
    private static String paxPath(byte[] data, int size) {
        for (String record : new String(data, 0, size, StandardCharsets.UTF_8).split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 6);
            }
        }
        return null;
    }

    private static String normalize(String name) {
        String n = name;
        while (n.length() > 1 && n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n.equals("./") ? "." : n;
    }
}
