package io.boxq.client.sandboxes;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.client.http.Call;
import io.boxq.client.http.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * The key's snapshots: {@link Sandbox#snapshot()} takes one, {@link SandboxRequest#withSnapshot}
 * starts a sandbox from one. Each is kept for the tier's snapshot lifetime, or until deleted.
 */
public final class Snapshots {
    private final Transport transport;

    public Snapshots(Transport transport) {
        this.transport = transport;
    }

    /** The key's snapshots, oldest first. */
    public List<Snapshot> list() {
        List<Snapshot> out = new ArrayList<>();
        for (JsonNode s : transport.sendJson(Call.get("/v1/snapshots")).path("snapshots")) {
            out.add(transport.json().convertValue(s, Snapshot.class));
        }
        return out;
    }

    public Snapshot get(String id) {
        return transport.sendJson(Call.get(path(id)), Snapshot.class);
    }

    /** Deletes a snapshot and its file (a {@code 404} when the key has no such one). */
    public void delete(String id) {
        transport.send(Call.delete(path(id)));
    }

    private static String path(String id) {
        return "/v1/snapshots/" + Call.q(id);
    }
}
