package io.boxq.executor;

import com.github.dockerjava.api.DockerClient;
import io.boxq.core.config.BoxqConfig;
import io.boxq.core.config.JobConfig.RunnerKind;
import io.boxq.executor.agent.AgentBinary;
import io.boxq.executor.agent.AgentRunnerFactory;
import io.boxq.executor.runner.ExecRunnerFactory;
import io.boxq.executor.runner.RunnerFactory;
import java.nio.file.Path;

/** Picks how a node runs commands in its containers ({@code RUNNER}): the native agent, or {@code docker exec}. */
final class Runners {
    private Runners() {}

    static RunnerFactory of(BoxqConfig config, DockerClient docker, String node) {
        if (config.jobs().runner() == RunnerKind.EXEC) {
            return new ExecRunnerFactory(docker, config.sandbox().workspace());
        }
        Path agentDir = Path.of(config.jobs().agentDir());
        AgentBinary binary = AgentBinary.locate(agentDir, config.jobs().agentBinary());
        return new AgentRunnerFactory(docker, config.sandbox().dockerHost(), binary,
                AgentRunnerFactory.socketRoot(agentDir, node), config.sandbox().workspace(),
                AgentRunnerFactory.DEFAULT_HANDSHAKE_TIMEOUT);
    }
}
