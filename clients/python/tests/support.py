"""What the tests share: the live server from the environment, and loopback helpers."""
import http.server
import os
import socket
import threading
import uuid

from boxq import Boxq


def server():
    """(url, admin key) of the live boxq the tests run against (scripts/test.sh sets them)."""
    url = os.environ.get("BOXQ_URL")
    admin = os.environ.get("BOXQ_ADMIN_KEY")
    if not url or not admin:
        raise RuntimeError("set BOXQ_URL and BOXQ_ADMIN_KEY to a running boxq (scripts/test.sh does)")
    return url, admin


def new_key(**fields):
    url, admin = server()
    return Boxq(url, admin).keys.create("py-" + uuid.uuid4().hex[:8], "pro", **fields)["key"]


def new_user(**options):
    return Boxq(server()[0], new_key(), **options)


class Recorder(http.server.ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 whose handler is given; serve it with start()."""

    daemon_threads = True

    def __init__(self, handler):
        super().__init__(("127.0.0.1", 0), handler)
        self.requests = []

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()


class CuttingProxy:
    """A TCP proxy in front of the server that drops the first connection whose answer carries
    ``marker``, right after passing on the bytes that held it."""

    def __init__(self, upstream_port, marker):
        self.upstream_port = upstream_port
        self.marker = marker
        self.armed = True
        self.cuts = 0
        self.connections = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = "http://127.0.0.1:%d" % self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                down, _ = self.listener.accept()
            except OSError:
                return
            up = socket.create_connection(("127.0.0.1", self.upstream_port))
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._pump, args=(down, up, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, down, True), daemon=True).start()

    def _pump(self, src, dst, answers):
        try:
            while True:
                data = src.recv(8192)
                if not data:
                    break
                dst.sendall(data)
                if answers and self.marker in data:
                    with self.lock:
                        cut, self.armed = self.armed, False
                        if cut:
                            self.cuts += 1
                    if cut:
                        break
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.listener.close()
