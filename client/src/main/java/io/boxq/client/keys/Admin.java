package io.boxq.client.keys;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.client.http.Call;
import io.boxq.client.http.Transport;

/** The admin routes besides keys: system stats, the dashboard's overview, cleanup, the audit log. */
public final class Admin {
    private final Transport transport;

    public Admin(Transport transport) {
        this.transport = transport;
    }

    public JsonNode systemStats() {
        return transport.sendJson(Call.get("/v1/system/stats"));
    }

    public JsonNode overview() {
        return transport.sendJson(Call.get("/v1/system/overview"));
    }

    /** Runs the sweeps now. */
    public JsonNode cleanup() {
        return transport.sendJson(Call.post("/v1/system/cleanup", null));
    }

    /** One page of the audit log; {@code cursor} null for the newest. */
    public JsonNode audit(String cursor, int limit) {
        return transport.sendJson(Call.get("/v1/audit?limit=" + limit + (cursor == null ? "" : "&cursor=" + Call.q(cursor))));
    }
}
