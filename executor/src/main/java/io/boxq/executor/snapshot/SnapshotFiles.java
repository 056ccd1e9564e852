package io.boxq.executor.snapshot;

import io.boxq.core.snapshot.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The snapshot directory ({@code SNAPSHOT_DIR}): one gzip'd tar per snapshot, named after its id.
 * A snapshot is written under a temporary name (a dot file) and renamed into place only once it is
 * complete and on disk, so a file under its real name is always whole.
 */
final class SnapshotFiles {
    private static final Pattern NAME = Pattern.compile("(snap_[a-z0-9]+)\\.tar\\.gz");
    private static final Pattern TEMP = Pattern.compile("\\.(snap_[a-z0-9]+)\\.tar\\.gz\\.[A-Za-z0-9_.-]*\\.tmp");

    private final Path dir;
    private final String node;
    /** Snapshots this node is writing now: their temporary files are not left over. */
    private final Set<String> writing = ConcurrentHashMap.newKeySet();

    SnapshotFiles(Path dir, String node) {
        this.dir = dir;
        this.node = node.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** Makes the directory (root's alone: snapshots hold the users' files). */
    void ensureDir() {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own permissions apply
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create SNAPSHOT_DIR " + dir, e);
        }
    }

    Path file(String id) {
        return dir.resolve(Snapshot.fileName(id));
    }

    /** A temporary file to write snapshot {@code id} to; {@link #commit} or {@link #abandon} it. */
    Path begin(String id) {
        ensureDir();
        writing.add(id);
        return dir.resolve("." + Snapshot.fileName(id) + "." + node + ".tmp");
    }

    /** Forces the written file to disk and renames it to its real name. */
    void commit(String id, Path temp) throws IOException {
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(temp, file(id), StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
        writing.remove(id);
    }

    void abandon(String id, Path temp) {
        writing.remove(id);
        deleteQuietly(temp);
    }

    void delete(String id) {
        deleteQuietly(file(id));
    }

    /**
     * Removes files whose snapshot is gone, and temporary files that nobody writes any more (their
     * snapshot is gone, or not pending, or pending on this node but not being written: left by a
     * crash).
     *
     * @param records a snapshot's record by id
     * @return how many files went
     */
    int sweep(Function<String, Optional<Snapshot>> records) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                Matcher whole = NAME.matcher(name);
                Matcher temp = TEMP.matcher(name);
                boolean stale;
                if (whole.matches()) {
                    stale = records.apply(whole.group(1)).isEmpty();
                } else if (temp.matches()) {
                    String id = temp.group(1);
                    Optional<Snapshot> s = records.apply(id);
                    stale = s.isEmpty() || s.get().ready()
                            || (name.endsWith("." + node + ".tmp") && !writing.contains(id));
                } else {
                    stale = false;
                }
                if (stale && deleteQuietly(f)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return removed;
    }

    private static boolean deleteQuietly(Path f) {
        try {
            return Files.deleteIfExists(f);
        } catch (IOException e) {
            return false;
        }
    }
}
