package io.boxq.core.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numeric user and group commands run as ({@code SANDBOX_USER}). Numbers, not names: the
 * tmpfs mounts of {@code /workspace} and {@code /tmp} are owned by them ({@code uid=…,gid=…}), and
 * the kernel takes no names there.
 *
 * @param uid the user id
 * @param gid the group id: the process's primary group and the tmpfs mounts' group
 */
public record SandboxUser(int uid, int gid) {
    /** nobody:nogroup on Debian. */
    public static final SandboxUser NOBODY = new SandboxUser(65534, 65534);

    private static final Pattern FORM = Pattern.compile("(\\d{1,10})(?::(\\d{1,10}))?");

    public SandboxUser {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid and gid must not be negative");
        }
    }

    /**
     * {@code uid} (the group is then the same number) or {@code uid:gid}.
     *
     * @throws IllegalArgumentException for anything else, such as a name or a number past 2147483647
     */
    public static SandboxUser parse(String value) {
        Matcher m = FORM.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a numeric uid or uid:gid (like 65534 or 1000:1000)");
        }
        try {
            int uid = Integer.parseInt(m.group(1));
            int gid = m.group(2) == null ? uid : Integer.parseInt(m.group(2));
            return new SandboxUser(uid, gid);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("has an id past 2147483647");
        }
    }

    /** Docker's {@code --user} value: both numbers, so the group does not depend on the image's /etc/passwd. */
    public String dockerUser() {
        return uid + ":" + gid;
    }

    @Override
    public String toString() {
        return dockerUser();
    }
}
