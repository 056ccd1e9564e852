package io.boxq.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {
    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.100.100.200",
            "100.127.255.255", "127.0.0.1", "127.255.0.9", "169.254.0.1", "169.254.169.254", "172.16.0.1",
            "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1", "198.18.0.1", "198.19.255.255",
            "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255"})
    void refuses_ipv4_addresses_that_are_not_public(String address) throws UnknownHostException {
        assertThat(AddressPolicy.refusal(InetAddress.getByName(address))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.1", "100.63.255.255", "100.128.0.0",
            "126.255.255.255", "128.0.0.1", "169.253.255.255", "169.255.0.1", "172.15.255.255", "172.32.0.1",
            "192.167.255.255", "192.169.0.1", "198.17.255.255", "198.20.0.1", "223.255.255.255"})
    void allows_public_ipv4_addresses_including_the_neighbours_of_refused_ranges(String address)
            throws UnknownHostException {
        assertThat(AddressPolicy.refusal(InetAddress.getByName(address))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "fe80::1", "febf::1", "fec0::1", "fc00::1", "fd12:3456::1",
            "fd00:ec2::254", "ff02::1", "ff05::1:3", "::127.0.0.1", "64:ff9b::a00:1", "64:ff9b::7f00:1",
            "64:ff9b:1::1", "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2001:db8::1", "2001:0:4136:e378::1", "2001:2::1", "100::1", "fe00::1", "4000::1", "64:ff9b:2::1"})
    void refuses_ipv6_addresses_that_are_not_public(String address) throws UnknownHostException {
        assertThat(AddressPolicy.refusal(InetAddress.getByName(address))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450::1", "64:ff9b::808:808",
            "2002:808:808::1", "3000::1"})
    void allows_public_ipv6_addresses_and_embedded_public_ipv4(String address) throws UnknownHostException {
        assertThat(AddressPolicy.refusal(InetAddress.getByName(address))).isEmpty();
    }

    @Test
    void names_the_cloud_metadata_addresses() throws UnknownHostException {
        assertThat(AddressPolicy.refusal(InetAddress.getByName("169.254.169.254"))).contains("the cloud metadata address");
        assertThat(AddressPolicy.refusal(InetAddress.getByName("fd00:ec2::254"))).contains("the cloud metadata address");
    }

    @Test
    void ipv4_mapped_ipv6_is_judged_by_its_ipv4_address_even_as_an_inet6address() throws UnknownHostException {
        byte[] loopback = HexFormat.of().parseHex("00000000000000000000ffff7f000001");
        byte[] metadata = HexFormat.of().parseHex("00000000000000000000ffffa9fea9fe");
        byte[] google = HexFormat.of().parseHex("00000000000000000000ffff08080808");

        assertThat(Inet6Address.getByAddress(null, loopback, -1)).isInstanceOf(Inet6Address.class);
        assertThat(AddressPolicy.refusal(Inet6Address.getByAddress(null, loopback, -1))).contains("a loopback address");
        assertThat(AddressPolicy.refusal(Inet6Address.getByAddress(null, metadata, -1)))
                .contains("the cloud metadata address");
        assertThat(AddressPolicy.refusal(Inet6Address.getByAddress(null, google, -1))).isEmpty();
        assertThat(AddressPolicy.refusal(InetAddress.getByName("::ffff:10.0.0.1"))).contains("a private address");
    }

    @Test
    void resolves_once_and_returns_exactly_the_addresses_it_checked() throws UnknownHostException {
        InetAddress[] answer = {InetAddress.getByName("93.184.215.14"), InetAddress.getByName("2606:2800:21f::1")};
        int[] lookups = {0};
        AddressPolicy policy = new AddressPolicy(false, List.of(), host -> {
            lookups[0]++;
            return answer.clone();
        });

        assertThat(policy.resolve("hooks.example.com")).containsExactly(answer);
        assertThat(lookups[0]).isEqualTo(1);
    }

    @Test
    void a_name_resolving_to_a_refused_address_is_refused_even_among_public_ones() {
        AddressPolicy policy = policy(false, List.of(), Map.of("rebind.example", new String[] {"8.8.8.8", "127.0.0.1"}));

        assertThatThrownBy(() -> policy.resolve("rebind.example"))
                .isInstanceOf(ForbiddenAddressException.class)
                .hasMessageContaining("loopback")
                .satisfies(e -> assertThat(((ForbiddenAddressException) e).address().getHostAddress()).isEqualTo("127.0.0.1"));
    }

    @Test
    void allowlisted_hosts_and_allow_private_accept_any_address() throws UnknownHostException {
        Map<String, String[]> dns = Map.of("hooks.internal", new String[] {"10.1.2.3"}, "other.internal",
                new String[] {"10.9.9.9"});
        AddressPolicy listed = policy(false, List.of("HOOKS.internal"), dns);
        AddressPolicy open = policy(true, List.of(), dns);

        assertThat(listed.resolve("hooks.internal.")).hasSize(1);
        assertThat(listed.trusts("Hooks.Internal")).isTrue();
        assertThatThrownBy(() -> listed.resolve("other.internal")).isInstanceOf(ForbiddenAddressException.class);
        assertThat(open.resolve("other.internal")).hasSize(1);
    }

    @Test
    void ipv6_literals_in_brackets_match_the_allowlist() throws UnknownHostException {
        AddressPolicy policy = new AddressPolicy(false, List.of("::1"), InetAddress::getAllByName);
        assertThat(policy.resolve("[::1]")).hasSize(1);
    }

    @Test
    void an_empty_answer_is_an_unknown_host() {
        AddressPolicy policy = new AddressPolicy(false, List.of(), host -> new InetAddress[0]);
        assertThatThrownBy(() -> policy.resolve("nothing.example"))
                .isInstanceOf(UnknownHostException.class)
                .isNotInstanceOf(ForbiddenAddressException.class);
    }

    private static AddressPolicy policy(boolean allowPrivate, List<String> allowlist, Map<String, String[]> dns) {
        return new AddressPolicy(allowPrivate, allowlist, host -> {
            String[] addresses = dns.get(host);
            if (addresses == null) {
                throw new UnknownHostException(host);
            }
            InetAddress[] result = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) {
                result[i] = InetAddress.getByName(addresses[i]);
            }
            return result;
        });
    }
}
