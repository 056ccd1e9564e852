"""A job's live output as server-sent events, resumed after a dropped connection."""
import base64
import http.client
import json
from typing import Iterator, Optional, Union

from .errors import BoxqConnectionError
from .models import Job, Output, Result
from ._http import Transport, q

Event = Union[Output, Result]


def follow(transport: Transport, job_id: str, last_event_id: Optional[str] = None,
           max_reconnects: int = 3) -> Iterator[Event]:
    """Yields Output chunks as the command writes them, then one Result.

    When the connection drops before the result it connects again with the last event's id as
    Last-Event-ID; it also counts each stream's bytes itself and cuts away what it has already
    yielded, so a resumed stream has no gap and no duplicate. It gives up after ``max_reconnects``
    connections in a row that brought nothing new.
    """
    have = {"stdout": 0, "stderr": 0}
    if last_event_id:
        parts = last_event_id.split(".")
        have["stdout"] = int(parts[0])
        have["stderr"] = int(parts[1]) if len(parts) > 1 else 0
    fruitless = 0
    while True:
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        conn, resp = transport.open("GET", "/v1/jobs/%s/events" % q(job_id), headers=headers)
        try:
            for kind, event_id, data in _events(resp):
                if kind == "result":
                    yield Result(Job.from_dict(json.loads(data)))
                    return
                if kind not in have:
                    continue
                chunk = json.loads(data)
                offset = int(chunk["offset"])
                raw = base64.b64decode(chunk["data"])
                if event_id:
                    last_event_id = event_id
                end = offset + len(raw)
                if end <= have[kind]:
                    continue
                if offset < have[kind]:
                    raw = raw[have[kind] - offset:]
                    offset = have[kind]
                have[kind] = end
                fruitless = 0
                yield Output(kind, offset, raw, event_id)
        except (OSError, http.client.HTTPException, ValueError):
            pass  # dropped: connect again from the last whole event
        finally:
            conn.close()
        fruitless += 1
        if fruitless > max_reconnects:
            raise BoxqConnectionError("events of %s: the connection dropped %d times in a row without new events"
                                      % (job_id, fruitless))


def _events(resp: http.client.HTTPResponse):
    """(event, id, data) of each whole event; a partial one at a drop is never yielded."""
    kind, event_id, data = None, None, []
    while True:
        line = resp.readline()
        if not line:
            return
        if not line.endswith(b"\n"):
            return  # cut mid-line
        text = line.decode("utf-8").rstrip("\r\n")
        if text == "":
            if kind is not None or data:
                yield kind, event_id, "\n".join(data)
            kind, event_id, data = None, None, []
        elif text.startswith(":"):
            continue
        else:
            name, _, value = text.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                kind = value
            elif name == "id":
                event_id = value
            elif name == "data":
                data.append(value)
