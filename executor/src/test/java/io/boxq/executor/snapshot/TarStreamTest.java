package io.boxq.executor.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tar filter between a container and a snapshot file (or another container). */
class TarStreamTest {

    @Test
    void saving_writes_the_real_modes_the_capture_reported_and_leaves_fifos_out() throws IOException {
        byte[] tar = archive(entry("./", '5', 0755, 0), entry("./locked", '5', 0700, 0),
                entry("./locked/f", '0', 0400, 3), entry("./pipe", '6', 0644, 0));
        WorkspaceModes modes = WorkspaceModes.saving(Map.of("./locked", 0600, "./locked/f", 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        long read = TarStream.copy(new ByteArrayInputStream(tar), out, modes, Long.MAX_VALUE);

        assertThat(read).isEqualTo(tar.length - (TarStream.RECORD - 6 * TarStream.BLOCK));
        assertThat(entries(out.toByteArray())).containsExactly("./ 755", "./locked/ 600", "./locked/f 0");
        assertThat(modes.skipped()).containsExactly("./pipe");
        assertThat(out.size() % TarStream.RECORD).isZero();
    }

    @Test
    void restoring_opens_what_tar_must_fill_and_lists_the_real_modes_innermost_first() throws IOException {
        byte[] tar = archive(entry("./d", '5', 0600, 0), entry("./d/f", '0', 0, 3), entry("./ok", '0', 0644, 1),
                entry("./link", '2', 0777, 0));
        WorkspaceModes modes = WorkspaceModes.restoring(Map.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        TarStream.copy(new ByteArrayInputStream(tar), out, modes, Long.MAX_VALUE);

        assertThat(entries(out.toByteArray())).containsExactly("./d/ 700", "./d/f 600", "./ok 644", "./link 777");
        assertThat(modes.toClose()).containsExactly("0 ./d/f", "600 ./d");
    }

    @Test
    void a_stream_past_its_limit_is_cut_off_and_one_that_ends_early_is_an_error() {
        byte[] tar = archive(entry("./big", '0', 0644, 4096));

        assertThatThrownBy(() -> TarStream.copy(new ByteArrayInputStream(tar), OutputStream.nullOutputStream(),
                WorkspaceModes.saving(Map.of()), 2048)).isInstanceOf(TarStream.TooLargeException.class);
        assertThatThrownBy(() -> TarStream.copy(new ByteArrayInputStream(Arrays.copyOf(tar, 1024)),
                OutputStream.nullOutputStream(), WorkspaceModes.saving(Map.of()), Long.MAX_VALUE))
                .isInstanceOf(IOException.class).hasMessageContaining("ended early");
    }

    @Test
    void a_gnu_long_name_belongs_to_the_entry_after_it() throws IOException {
        String longName = "./" + "d".repeat(150) + "/f";
        byte[] name = (longName + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] tar = archive(entry("././@LongLink", 'L', 0644, name.length, name), entry("./ddd", '0', 0, 1));
        WorkspaceModes modes = WorkspaceModes.restoring(Map.of());

        TarStream.copy(new ByteArrayInputStream(tar), new ByteArrayOutputStream(), modes, Long.MAX_VALUE);

        assertThat(modes.toClose()).containsExactly("0 " + longName);
    }

    @Test
    void frames_carry_whole_blocks_and_end_with_a_zero_count() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockFrames frames = new BlockFrames(out)) {
            frames.write(new byte[BlockFrames.FRAME_BLOCKS * TarStream.BLOCK + 1024]);
        }
        byte[] b = out.toByteArray();
        String head = BlockFrames.FRAME_BLOCKS + "\n";
        assertThat(new String(b, 0, head.length(), StandardCharsets.US_ASCII)).isEqualTo(head);
        int second = head.length() + BlockFrames.FRAME_BLOCKS * TarStream.BLOCK;
        assertThat(new String(b, second, 2, StandardCharsets.US_ASCII)).isEqualTo("2\n");
        assertThat(new String(b, b.length - 2, 2, StandardCharsets.US_ASCII)).isEqualTo("0\n");
        assertThat(b.length).isEqualTo(second + 2 + 1024 + 2);
    }

    private record Entry(byte[] header, byte[] data) {}

    private static Entry entry(String name, char type, int mode, int size) {
        return entry(name, type, mode, size, new byte[size]);
    }

    private static Entry entry(String name, char type, int mode, int size, byte[] data) {
        byte[] h = new byte[TarStream.BLOCK];
        String n = type == '5' && !name.endsWith("/") ? name + "/" : name;
        put(h, 0, n);
        put(h, 100, String.format("%07o", mode));
        put(h, 124, String.format("%011o", size));
        h[156] = (byte) type;
        put(h, 257, "ustar  ");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte x : h) {
            sum += x & 0xff;
        }
        put(h, 148, String.format("%06o\0", sum));
        return new Entry(h, Arrays.copyOf(data, (int) TarStream.padded(size)));
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, b.length);
    }

    private static byte[] archive(Entry... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            out.writeBytes(e.header());
            out.writeBytes(e.data());
        }
        out.writeBytes(new byte[2 * TarStream.BLOCK]);
        out.writeBytes(new byte[(int) ((TarStream.RECORD - out.size() % TarStream.RECORD) % TarStream.RECORD)]);
        return out.toByteArray();
    }

    /** "name octal-mode" of each entry of an archive. */
    private static List<String> entries(byte[] tar) {
        List<String> list = new ArrayList<>();
        for (int at = 0; at + TarStream.BLOCK <= tar.length; ) {
            byte[] h = Arrays.copyOfRange(tar, at, at + TarStream.BLOCK);
            if (h[0] == 0) {
                break;
            }
            String name = new String(h, 0, 100, StandardCharsets.UTF_8).replace("\0", "");
            list.add(name + " " + Long.toOctalString(TarStream.octal(h, 100, 8)));
            at += TarStream.BLOCK + (int) TarStream.padded(TarStream.size(h));
        }
        return list;
    }
}
