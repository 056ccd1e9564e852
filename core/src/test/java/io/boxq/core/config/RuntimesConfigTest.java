package io.boxq.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.boxq.core.auth.KeyOverrides;
import io.boxq.core.auth.Tier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimesConfigTest {
    @Test
    void runc_alone_is_offered_when_nothing_is_set() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of());

        assertThat(c.sandbox().runtime()).isEqualTo("runc");
        assertThat(c.sandbox().allowedRuntimes()).containsExactly("runc");
        assertThat(c.limits(Tier.PRO).runtimeFor(null, "runc")).isEqualTo("runc");
        assertThat(c.limits(Tier.PRO).runtimeFor("runsc", "runc")).isNull();
    }

    @Test
    void sandbox_runtime_stays_the_default_and_comes_first_of_the_allowed() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of("ALLOWED_RUNTIMES", "runc,runsc", "SANDBOX_RUNTIME", "runsc"));

        assertThat(c.sandbox().runtime()).isEqualTo("runsc");
        assertThat(c.sandbox().allowedRuntimes()).containsExactly("runsc", "runc");
        assertThat(c.limits(Tier.FREE).runtimes()).containsExactly("runsc", "runc");
        assertThat(BoxqConfig.fromEnv(Map.of("SANDBOX_RUNTIME", "runsc")).sandbox().allowedRuntimes())
                .as("the old name alone offers what it names").containsExactly("runsc");
    }

    @Test
    void a_tier_names_its_runtimes_its_first_the_default_and_a_key_override_replaces_them() {
        BoxqConfig c = BoxqConfig.fromEnv(Map.of("ALLOWED_RUNTIMES", "runc,runsc", "TIER_PRO_RUNTIMES", "runc",
                "TIER_ENTERPRISE_RUNTIMES", "runsc,runc"));

        assertThat(c.limits(Tier.PRO).runtimeFor("runsc", "runc")).isNull();
        assertThat(c.limits(Tier.ENTERPRISE).runtimeFor(null, "runc")).isEqualTo("runsc");
        KeyOverrides lifted = new KeyOverrides(null, null, null, null, List.of("runc", "runsc"));
        assertThat(c.limits(Tier.PRO).with(lifted).runtimeFor("runsc", "runc")).isEqualTo("runsc");
    }

    @Test
    void a_runtime_outside_allowed_runtimes_stops_the_start_naming_the_setting() {
        ConfigException default_ = catchThrowableOfType(ConfigException.class,
                () -> BoxqConfig.fromEnv(Map.of("ALLOWED_RUNTIMES", "runc", "SANDBOX_RUNTIME", "runsc")));
        ConfigException tier = catchThrowableOfType(ConfigException.class,
                () -> BoxqConfig.fromEnv(Map.of("ALLOWED_RUNTIMES", "runc", "TIER_FREE_RUNTIMES", "kata")));

        assertThat(default_.getMessage()).contains("SANDBOX_RUNTIME=runsc").contains("ALLOWED_RUNTIMES");
        assertThat(tier.getMessage()).contains("TIER_FREE_RUNTIMES").contains("kata");
    }
}
