package io.boxq.core.config;

import io.boxq.core.auth.Tier;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Workspace snapshots (docs/architecture.md, "Snapshots and forks"): where a node keeps them, whether
 * that directory is shared by every node (an NFS mount, say: then any node can restore any
 * snapshot), and what each tier may keep.
 *
 * @param dir {@code SNAPSHOT_DIR}, the directory this node writes its snapshots to
 * @param shared {@code SNAPSHOT_DIR_SHARED}: every node mounts the same {@code dir}
 */
public record SnapshotConfig(String dir, boolean shared, Map<Tier, Limits> tiers) {
    public static final String DEFAULT_DIR = "/var/lib/boxq/snapshots";

    /**
     * What one tier may keep, per API key.
     *
     * @param maxCount snapshots kept at once
     * @param maxBytes their total size (uncompressed workspace bytes); a workspace that would pass
     *     it is refused with a 413
     * @param lifetime how long a snapshot is kept before the sweep removes it
     */
    public record Limits(int maxCount, long maxBytes, Duration lifetime) {
        public Limits {
            if (maxCount < 0 || maxBytes < 0 || lifetime.isNegative() || lifetime.isZero()) {
                throw new IllegalArgumentException("snapshot limits must be positive");
            }
        }

        static Limits defaultsFor(Tier tier) {
            return switch (tier) {
                case FREE -> new Limits(5, 1L << 30, Duration.ofDays(1));
                case PRO -> new Limits(50, 20L << 30, Duration.ofDays(7));
                case ENTERPRISE -> new Limits(500, 200L << 30, Duration.ofDays(30));
            };
        }
    }

    public SnapshotConfig {
        tiers = Map.copyOf(tiers);
    }

    public Limits limits(Tier tier) {
        return tiers.get(tier);
    }

    static SnapshotConfig fromEnv(EnvReader r) {
        Map<Tier, Limits> tiers = new EnumMap<>(Tier.class);
        for (Tier tier : Tier.values()) {
            Limits d = Limits.defaultsFor(tier);
            String p = "TIER_" + tier.name() + "_";
            tiers.put(tier, new Limits(
                    r.integer(p + "SNAPSHOTS", d.maxCount(), 0, 1_000_000),
                    r.bytes(p + "SNAPSHOT_BYTES", d.maxBytes()),
                    Duration.ofHours(r.longValue(new String[] {p + "SNAPSHOT_LIFETIME_HOURS"},
                            d.lifetime().toHours(), 1, 24 * 3650))));
        }
        return new SnapshotConfig(r.string("SNAPSHOT_DIR", DEFAULT_DIR), r.bool("SNAPSHOT_DIR_SHARED", false), tiers);
    }
}
