package io.boxq.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallbackUrlCheckTest {
    private static final Map<String, String> DNS = Map.of(
            "hooks.example.com", "93.184.215.14",
            "localhost", "127.0.0.1",
            "metadata.google.internal", "169.254.169.254",
            "sneaky.example.com", "10.0.0.7");

    private final CallbackUrlCheck strict = check(false, List.of());

    @Test
    void accepts_a_public_https_or_http_url() {
        assertThat(strict.problem("https://hooks.example.com/boxq?token=abc")).isEmpty();
        assertThat(strict.problem("http://hooks.example.com:8080/cb")).isEmpty();
        assertThat(strict.problem("https://93.184.215.14/cb")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.example.com/x", "file:///etc/passwd", "gopher://hooks.example.com",
            "/relative/path", "hooks.example.com/cb", "https://", "http://user:pw@hooks.example.com/",
            "https://hooks.example.com/#frag", "http://exa mple.com/", ""})
    void refuses_malformed_urls_and_other_schemes(String url) {
        assertThat(strict.problem(url)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
            "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fd00:ec2::254]/", "http://0.0.0.0/",
            "http://100.64.0.1/", "http://224.0.0.1/"})
    void refuses_literal_addresses_that_are_not_public(String url) {
        assertThat(strict.problem(url)).hasValueSatisfying(p -> assertThat(p).startsWith("is "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:9000/", "http://metadata.google.internal/computeMetadata/v1/",
            "https://sneaky.example.com/"})
    void refuses_names_that_resolve_to_addresses_that_are_not_public_without_naming_the_address(String url) {
        assertThat(strict.problem(url)).hasValueSatisfying(p -> assertThat(p)
                .startsWith("resolves to ")
                .doesNotContain("127.0.0.1", "169.254", "10.0.0.7"));
    }

    @Test
    void lets_hosts_through_that_do_not_resolve_now_since_the_sender_checks_again() {
        assertThat(strict.problem("https://not-yet-there.example.com/cb")).isEmpty();
    }

    @Test
    void allowlist_and_allow_private_open_private_receivers() {
        assertThat(check(false, List.of("127.0.0.1", "localhost")).problem("http://127.0.0.1:9/")).isEmpty();
        assertThat(check(false, List.of("localhost")).problem("http://localhost:9/")).isEmpty();
        assertThat(check(false, List.of("localhost")).problem("http://10.0.0.1/")).isPresent();
        assertThat(check(true, List.of()).problem("http://10.0.0.1/")).isEmpty();
    }

    private static CallbackUrlCheck check(boolean allowPrivate, List<String> allowlist) {
        return new CallbackUrlCheck(new AddressPolicy(allowPrivate, allowlist, host -> {
            String address = DNS.get(host);
            if (address != null) {
                return new InetAddress[] {InetAddress.getByName(address)};
            }
            if (host.matches("[0-9.]+") || host.contains(":")) {
                return InetAddress.getAllByName(host);
            }
            throw new UnknownHostException(host);
        }));
    }
}
