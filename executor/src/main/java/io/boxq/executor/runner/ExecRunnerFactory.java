package io.boxq.executor.runner;

import com.github.dockerjava.api.DockerClient;

/** Runners for the {@code docker exec} path: nothing to attach, the container is ready once started. */
public final class ExecRunnerFactory implements RunnerFactory {
    private final DockerClient docker;
    private final String workspace;

    public ExecRunnerFactory(DockerClient docker, String workspace) {
        this.docker = docker;
        this.workspace = workspace;
    }

    @Override
    public CommandRunner attach(String containerId, RunnerPlacement placement) {
        return new ExecCommandRunner(docker, containerId, workspace);
    }

    @Override
    public CommandRunner reattach(String containerId) {
        return new ExecCommandRunner(docker, containerId, workspace);
    }
}
