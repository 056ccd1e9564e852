// A job's live output as server-sent events, resumed after a dropped connection.
import { BoxqConnectionError } from "./errors.js";
import { q } from "./transport.js";

/**
 * Yields {type: "stdout"|"stderr", offset, data: Uint8Array, id} chunks as the command writes
 * them, then {type: "result", job}. When the connection drops before the result it connects again
 * with the last event's id as Last-Event-ID; it also counts each stream's bytes itself and cuts
 * away what it has already yielded, so a resumed stream has no gap and no duplicate. It gives up
 * after `maxReconnects` connections in a row that brought nothing new.
 */
export async function* follow(transport, jobId, lastEventId, maxReconnects) {
  const have = { stdout: 0, stderr: 0 };
  if (lastEventId) {
    const [out, err] = lastEventId.split(".");
    have.stdout = Number(out);
    have.stderr = Number(err ?? 0);
  }
  let fruitless = 0;
  for (;;) {
    const headers = { Accept: "text/event-stream" };
    if (lastEventId) headers["Last-Event-ID"] = lastEventId;
    const response = await transport.open("GET", `/v1/jobs/${q(jobId)}/events`, { headers });
    try {
      for await (const { event, id, data } of events(response.body)) {
        if (event === "result") {
          yield { type: "result", job: JSON.parse(data) };
          return;
        }
        if (!(event in have)) continue;
        const chunk = JSON.parse(data);
        let offset = chunk.offset;
        let bytes = Buffer.from(chunk.data, "base64");
        if (id) lastEventId = id;
        const end = offset + bytes.length;
        if (end <= have[event]) continue;
        if (offset < have[event]) {
          bytes = bytes.subarray(have[event] - offset);
          offset = have[event];
        }
        have[event] = end;
        fruitless = 0;
        yield { type: event, offset, data: new Uint8Array(bytes), id };
      }
    } catch {
      // dropped: connect again from the last whole event
    } finally {
      await response.body?.cancel().catch(() => {});
    }
    if (++fruitless > maxReconnects) {
      throw new BoxqConnectionError(
        `events of ${jobId}: the connection dropped ${fruitless} times in a row without new events`);
    }
  }
}

/** {event, id, data} of each whole event of an SSE body; a partial one at a drop is never yielded. */
async function* events(body) {
  const decoder = new TextDecoder();
  let buffer = "";
  let event;
  let id;
  let data = [];
  for await (const piece of body) {
    buffer += decoder.decode(piece, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line === "") {
        if (event !== undefined || data.length) yield { event, id, data: data.join("\n") };
        event = undefined;
        id = undefined;
        data = [];
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const name = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (name === "event") event = value;
        else if (name === "id") id = value;
        else if (name === "data") data.push(value);
      }
    }
  }
}
