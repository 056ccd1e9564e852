package io.boxq.executor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.boxq.core.job.CommandResult;
import io.boxq.executor.runner.RunRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CPU time the agent measures around each command (its exit frame's cgroup figure), in busybox and in Debian's dash, in containers with the pool's quarter-core quota.
 */
class AgentCpuTimeIT {
    /**
     * About 0.3 s of CPU in either shell on this machine (150,000 rounds measured 0.15–0.18 s; `sleep
     * 1` 2.5–3 ms, `echo hi` 1.7–2.5 ms): 1.2–1.5 s of wall clock under a quarter core.
     */
    static final String BURN = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";

    static AgentBoxes boxes;
    static DockerClient docker;
    static Map<String, AgentCommandRunner> runners;

    @BeforeAll
    static void start() {
        boxes = new AgentBoxes("AgentCpuTimeIT");
        docker = boxes.docker;
        runners = boxes.startEach(AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM);
    }

    @AfterAll
    static void stop() throws Exception {
        boxes.close();
    }

    static CommandResult run(String image, String command, Duration timeout) {
        return runners.get(image).run(new RunRequest(command, "sh", Map.of(), "/workspace", new byte[0], timeout, 1024));
    }

    /** The container's cgroup CPU time in microseconds, read past the runner with a {@code docker exec}. */
    static long cgroupMicros(String image) throws InterruptedException {
        String exec = docker.execCreateCmd(runners.get(image).containerId()).withAttachStdout(true).withCmd("/bin/sh", "-c",
                "f=/sys/fs/cgroup/cpuacct/cpuacct.usage; if [ -r $f ]; then echo $(( $(cat $f) / 1000 )); "
                        + "else awk '$1==\"usage_usec\"{print $2}' /sys/fs/cgroup/cpu.stat; fi").exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.writeBytes(frame.getPayload());
            }
        }).awaitCompletion(10, TimeUnit.SECONDS);
        return Long.parseLong(out.toString(StandardCharsets.US_ASCII).trim());
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void a_command_that_burns_cpu_reports_clearly_more_than_one_that_sleeps(String image) throws Exception {
        long before = cgroupMicros(image);
        CommandResult burn = run(image, BURN, Duration.ofSeconds(20));
        long after = cgroupMicros(image);
        CommandResult sleep = run(image, "sleep 1", Duration.ofSeconds(20));

        assertThat(burn.exitCode()).isZero();
        assertThat(burn.cpuMicros()).as("a busy loop").isNotNull().isGreaterThan(150_000L);
        assertThat(burn.cpuMicros()).as("within what the cgroup counted around the run (microseconds, not ns)")
                .isLessThanOrEqualTo(after - before);
        assertThat(sleep.cpuMicros()).as("sleep 1: a fork and a wait").isNotNull().isLessThan(60_000L);
        assertThat(burn.cpuMicros()).isGreaterThan(3 * sleep.cpuMicros());
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void a_command_killed_at_its_timeout_still_reports_the_cpu_it_burned(String image) {
        CommandResult result = run(image, "while :; do :; done", Duration.ofSeconds(2));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.cpuMicros()).as("a quarter core for about two seconds (500 ms), even on a busy machine")
                .isNotNull().isGreaterThan(100_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {AgentBoxes.BUSYBOX, AgentBoxes.BOOKWORM})
    void what_a_command_leaves_running_counts_in_the_commands_that_follow(String image) {
        CommandResult started = run(image, "(while :; do :; done) >/dev/null 2>&1 &", Duration.ofSeconds(5));
        CommandResult meanwhile = run(image, "sleep 2", Duration.ofSeconds(5));
        runners.get(image).reset();
        CommandResult after = run(image, "sleep 1", Duration.ofSeconds(5));

        assertThat(started.exitCode()).isZero();
        assertThat(meanwhile.cpuMicros()).as("the container's CPU, not only the command's")
                .isGreaterThan(100_000L);
        assertThat(after.cpuMicros()).as("the reset killed it").isLessThan(60_000L);
    }
}
