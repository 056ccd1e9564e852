package io.boxq.executor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an agent leaves on the host: its two processes (the keepalive and the serving agent) hold
 * under 1 MiB together and use no CPU while idle (no timer), and its socket directory goes with its
 * container; a directory whose container is gone (a crashed node's) is swept.
 */
class AgentFootprintIT {
    static AgentBoxes boxes;
    static AgentCommandRunner runner;

    @BeforeAll
    static void start() {
        boxes = new AgentBoxes("AgentFootprintIT");
        runner = boxes.start(AgentBoxes.BOOKWORM);
    }

    @AfterAll
    static void stop() throws Exception {
        boxes.close();
    }

    /** The host pids of the container's processes other than Docker's init: the agent's two. */
    static List<Long> agentPids() throws IOException {
        long init = boxes.docker.inspectContainerCmd(runner.containerId()).exec().getState().getPidLong();
        List<Long> pids = new ArrayList<>();
        for (String child : Files.readString(Path.of("/proc/" + init + "/task/" + init + "/children")).trim().split(" ")) {
            long keepalive = Long.parseLong(child);
            pids.add(keepalive);
            for (String grandchild : Files.readString(Path.of("/proc/" + keepalive + "/task/" + keepalive + "/children"))
                    .trim().split(" ")) {
                if (!grandchild.isBlank()) {
                    pids.add(Long.parseLong(grandchild));
                }
            }
        }
        return pids;
    }

    static long field(long pid, String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(name + ":"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
    }

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    @Test
    void an_idle_agent_holds_under_one_mebibyte_and_uses_no_cpu() throws Exception {
        runner.run(new io.boxq.executor.runner.RunRequest("echo warm", "bash", java.util.Map.of(), "/workspace",
                new byte[0], Duration.ofSeconds(10), 1024));
        List<Long> pids = agentPids();
        assertThat(pids).as("keepalive and serving agent").hasSize(2);
        long rssKb = 0;
        for (long pid : pids) {
            rssKb += field(pid, "VmRSS");
        }
        assertThat(rssKb).as("RSS of both, KiB").isLessThan(1024);
        long before = cpuTicks(pids.get(0)) + cpuTicks(pids.get(1));
        long switches = field(pids.get(1), "voluntary_ctxt_switches");
        // idle: neither process may run or even wake up over three seconds with nothing to do
        org.awaitility.Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> cpuTicks(pids.get(0)) + cpuTicks(pids.get(1)) == before
                        && field(pids.get(1), "voluntary_ctxt_switches") == switches);
    }

    @Test
    void a_stopping_nodes_socket_root_goes_once_its_containers_did_and_is_root_s_alone() throws Exception {
        String node = "it-footprint-" + ProcessHandle.current().pid();
        Path root = AgentRunnerFactory.socketRoot(AgentBoxes.AGENT_DIR, node);
        AgentRunnerFactory factory = new AgentRunnerFactory(boxes.docker, AgentBinary.locate(AgentBoxes.AGENT_DIR, null),
                root, "/workspace", Duration.ofSeconds(10));
        assertThat(java.nio.file.Files.getPosixFilePermissions(root))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                        java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        factory.release(factory.place()); // a container that never started
        factory.close();
        assertThat(root).doesNotExist();
    }

    @Test
    void a_containers_socket_directory_goes_with_it_and_leftovers_are_swept() throws Exception {
        Path root = AgentRunnerFactory.socketRoot(AgentBoxes.AGENT_DIR, "it-" + ProcessHandle.current().pid());
        AgentBoxes.Started other = boxes.startOnly(AgentBoxes.BUSYBOX);
        AgentCommandRunner second = boxes.track((AgentCommandRunner) boxes.factory.attach(other.id(), other.placement()));
        Path dir = root.resolve(other.placement().labels().get(AgentRunnerFactory.LABEL));
        assertThat(dir).isDirectory();
        assertThat(dir.resolve("agent.sock")).as("the listener is gone once the agent called").doesNotExist();

        Path stale = Files.createDirectories(root.resolve("00000000deadbeef"));
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
        Path fresh = Files.createDirectories(root.resolve("00000000feedbeef")); // a container being created
        Path crashed = Files.createDirectories(root.getParent().resolve("it-crashed-" + ProcessHandle.current().pid())
                .resolve("00000000cafebeef")); // a directory of a node that died, whose container is gone
        Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
        Files.setLastModifiedTime(crashed.getParent(), FileTime.from(Instant.now().minus(Duration.ofMinutes(10))));
        assertThat(boxes.factory.sweep()).isGreaterThanOrEqualTo(2);
        assertThat(crashed.getParent()).as("the dead node's directory, emptied").doesNotExist();
        assertThat(stale).doesNotExist();
        assertThat(fresh).isDirectory();
        assertThat(dir).as("a live container's directory").isDirectory();
        Files.delete(fresh);

        second.close();
        boxes.runtime.remove(other.id());
        boxes.factory.removed(other.id());
        assertThat(dir).doesNotExist();
    }
}
