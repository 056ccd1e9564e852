package io.boxq.executor.docker;

/** The labels on every container boxq makes; cleanup finds leftovers by them. */
public final class Labels {
    public static final String MANAGED = "boxq.managed";
    public static final String NODE = "boxq.node";
    public static final String SANDBOX = "boxq.sandbox";
    public static final String SHAPE = "boxq.shape";
    /** The container's OCI runtime (runc, runsc, …). */
    public static final String RUNTIME = "boxq.runtime";
    /** The Redis prefix of the deployment: several deployments may share one engine. */
    public static final String DEPLOYMENT = "boxq.deployment";

    private Labels() {}
}
