package io.boxq.executor.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The modes of a workspace on their way through an archive. The sandbox user (no capabilities)
 * cannot read a file of mode 000 nor enter a directory without {@code x}, so the capture script
 * opens those up for the copy and reports their real modes; this policy writes the real ones into
 * the archive ({@link #saving}). Writing a workspace back, it opens them again so that {@code tar}
 * can fill them, and lists what to close after ({@link #restoring}). FIFOs, sockets and devices are
 * left out and listed.
 */
final class WorkspaceModes implements TarStream.Policy {
    private final Map<String, Integer> real;
    private final boolean open;
    private final List<String> skipped = new ArrayList<>();
    private final List<String> toClose = new ArrayList<>();

    private WorkspaceModes(Map<String, Integer> real, boolean open) {
        this.real = Map.copyOf(real);
        this.open = open;
    }

    /** Into a snapshot file: the real modes, as the capture script reported them. */
    static WorkspaceModes saving(Map<String, Integer> real) {
        return new WorkspaceModes(real, false);
    }

    /** Into a container: opened up for {@code tar}; {@link #toClose()} gives the real modes to set after. */
    static WorkspaceModes restoring(Map<String, Integer> real) {
        return new WorkspaceModes(real, true);
    }

    @Override
    public int mode(String name, char type, int mode) {
        if (type == '6' || type == '3' || type == '4') {
            skipped.add(name);
            return -1;
        }
        int actual = real.getOrDefault(name, mode);
        if (!open) {
            return actual;
        }
        int needed = switch (type) {
            case '5' -> 0700;
            case '0', '\0', '7' -> 0600;
            default -> 0;
        };
        if ((actual & needed) != needed) {
            toClose.add(Integer.toOctalString(actual) + " " + name);
            return actual | needed;
        }
        return actual;
    }

    /** Paths left out of the archive. */
    List<String> skipped() {
        return List.copyOf(skipped);
    }

    /** {@code "<octal mode> <path>"} lines, innermost first, to set once the archive is written out. */
    List<String> toClose() {
        return List.copyOf(toClose.reversed());
    }
}
