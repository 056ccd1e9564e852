package io.boxq.executor.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent binary this node mounts into its containers, and the version its hello must report.
 * Built from the C source inside this jar when no binary is configured: static (musl-gcc, else the
 * system compiler with {@code -static}), into {@code AGENT_DIR/bin/<build>/boxq-agent}, where the
 * build is a hash of the source and flags. The path is thus content-addressed: a changed source is
 * a new directory, and a container keeps the binary it was started with.
 */
public final class AgentBinary {
    static final String SOURCE = "boxq-agent.c";
    private static final List<String> FLAGS = List.of("-static", "-Os", "-s", "-Wall");
    private static final long COMPILE_SECONDS = 120;

    private final Path path;
    private final String version;

    private AgentBinary(Path path, String version) {
        this.path = path;
        this.version = version;
    }

    /** The binary on the host. */
    public Path path() {
        return path;
    }

    /** What its hello says: the protocol, a space, the build. */
    public String version() {
        return version;
    }

    /**
     * The configured binary, or the one built from this jar's source (built now when missing).
     *
     * @param configured {@code AGENT_BINARY}, or null to build from source
     * @throws IllegalStateException when there is no binary and none can be built (no compiler), or
     *     it does not run here; the message says what to do
     */
    public static AgentBinary locate(Path agentDir, String configured) {
        if (configured != null) {
            return installed(agentDir, Path.of(configured).toAbsolutePath());
        }
        byte[] source = source();
        String build = build(source);
        Path binary = binaryPath(agentDir, build);
        if (!Files.isExecutable(binary)) {
            compile(source, build, binary);
        }
        String version = askVersion(binary);
        if (!version.equals(AgentWire.PROTOCOL + " " + build)) {
            throw new IllegalStateException(binary + " says it is '" + version + "', not build " + build
                    + ": remove it and start again to rebuild it");
        }
        return new AgentBinary(binary, version);
    }

    /**
     * A configured binary, copied to {@code AGENT_DIR/bin/<hash of its bytes>/}: the engine mounts
     * host paths, and an executor in a container sees its own image's files, not the host's, so the
     * binary is put where both see it (docker-compose.yml mounts {@code AGENT_DIR} at the same path).
     */
    private static AgentBinary installed(Path agentDir, Path configured) {
        if (!Files.isRegularFile(configured) || !Files.isExecutable(configured)) {
            throw new IllegalStateException("AGENT_BINARY=" + configured + " is not an executable file");
        }
        try {
            byte[] bytes = Files.readAllBytes(configured);
            Path binary = binaryPath(agentDir, build(bytes));
            if (!Files.isExecutable(binary)) {
                Path tmp = Files.createTempFile(Files.createDirectories(binary.getParent()), "boxq-agent", ".tmp");
                Files.write(tmp, bytes);
                publish(tmp, binary);
            }
            String version = askVersion(binary);
            if (!version.startsWith(AgentWire.PROTOCOL + " ")) {
                throw new IllegalStateException("AGENT_BINARY=" + configured + " says it is '" + AgentWire.printable(version)
                        + "'; this node speaks " + AgentWire.PROTOCOL);
            }
            return new AgentBinary(binary, version);
        } catch (IOException e) {
            throw new IllegalStateException("cannot install AGENT_BINARY=" + configured + " into " + agentDir + ": "
                    + e.getMessage(), e);
        }
    }

    /** Where a binary of {@code build} lives: its own directory, so the path names its content. */
    private static Path binaryPath(Path agentDir, String build) {
        return agentDir.resolve("bin").resolve(build).resolve("boxq-agent");
    }

    /**
     * Makes a finished file the binary in one step (nodes starting together may race to do it, and
     * a container must never mount half a file): read-only and executable, then an atomic rename.
     */
    private static void publish(Path tmp, Path binary) throws IOException {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.move(tmp, binary, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The build id of the source in this jar: 16 hex digits of SHA-256 over the source and the flags. */
    static String build(byte[] source) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(String.join(" ", FLAGS).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] source() {
        try (InputStream in = AgentBinary.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the agent's source " + SOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the agent's source: " + e.getMessage(), e);
        }
    }

    private static void compile(byte[] source, String build, Path binary) {
        String compiler = compiler();
        try {
            Path dir = Files.createDirectories(binary.getParent());
            Path src = Files.createTempFile(dir, "boxq-agent", ".c");
            Path out = Files.createTempFile(dir, "boxq-agent", ".tmp");
            try {
                Files.write(src, source);
                List<String> cmd = new ArrayList<>(List.of(compiler));
                cmd.addAll(FLAGS);
                cmd.addAll(List.of("-DBOXQ_AGENT_BUILD=\"" + build + "\"", "-o", out.toString(), src.toString()));
                run(cmd, "compiling the agent");
                publish(out, binary);
            } finally {
                Files.deleteIfExists(src);
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the agent into " + binary + ": " + e.getMessage(), e);
        }
    }

    /** musl-gcc (a static binary that needs nothing of any image), else the system's C compiler. */
    private static String compiler() {
        for (String c : List.of("musl-gcc", "cc", "gcc")) {
            try {
                Process p = new ProcessBuilder(c, "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return c;
                }
            } catch (IOException e) {
                // not on the PATH: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("no C compiler to build the agent with: install musl-tools (scripts/setup.sh "
                + "does), or point AGENT_BINARY at a built boxq-agent");
    }

    private static String askVersion(Path binary) {
        return run(List.of(binary.toString(), "--version"), "asking " + binary + " for its version").strip();
    }

    private static String run(List<String> cmd, String what) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMPILE_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " took over " + COMPILE_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + out.strip());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        }
    }
}
