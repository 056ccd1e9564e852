package io.boxq.client.sandboxes;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.client.http.Call;
import io.boxq.client.http.Transport;
import io.boxq.client.jobs.Jobs;
import java.util.ArrayList;
import java.util.List;

/** Sandboxes: containers that keep their files between commands. */
public final class Sandboxes {
    private final Transport transport;
    private final Jobs jobs;

    public Sandboxes(Transport transport, Jobs jobs) {
        this.transport = transport;
        this.jobs = jobs;
    }

    /** A sandbox with the server's defaults, ready for commands; close it (try-with-resources) to delete it. */
    public Sandbox create() {
        return create(SandboxRequest.DEFAULTS);
    }

    public Sandbox create(SandboxRequest request) {
        SandboxInfo info = transport.sendJson(Call.post("/v1/sandboxes", transport.toJson(request)), SandboxInfo.class);
        return new Sandbox(transport, jobs, info);
    }

    /** A handle on an existing sandbox (closing it deletes the sandbox). */
    public Sandbox attach(String id) {
        return new Sandbox(transport, jobs, get(id));
    }

    public SandboxInfo get(String id) {
        return transport.sendJson(Call.get(Sandbox.path(id)), SandboxInfo.class);
    }

    /** The key's sandboxes: {@code live} (null means the same), {@code ended} or {@code all}. */
    public List<SandboxInfo> list(String state) {
        JsonNode answer = transport.sendJson(Call.get("/v1/sandboxes" + (state == null ? "" : "?state=" + Call.q(state))));
        List<SandboxInfo> out = new ArrayList<>();
        for (JsonNode s : answer.path("sandboxes")) {
            out.add(transport.json().convertValue(s, SandboxInfo.class));
        }
        return out;
    }

    public void delete(String id) {
        transport.send(Call.delete(Sandbox.path(id)));
    }
}
