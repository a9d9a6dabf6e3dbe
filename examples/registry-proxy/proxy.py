#!/usr/bin/env python3
"""registry-proxy: an example eligibility service under test for onshi's registry role.

onshi starts this program once per scenario (`onshi run --registry-adapter CMD`) and talks to
it over standard input/output, one JSON object per line (onshi-cap/1, docs/registry-role.md).
The service itself is `onshi serve-registry`, onshi's reference registry fed by the registry
feed, started here as a child process. In front of it this program puts

  * the feed link: each `facts` message becomes `POST /onshi/registry/feed` (a `time`
    message, should one come, too, without records);
  * an HTTP proxy: every request onshi sends to the service goes through to the backend and
    its answer comes back.

Both pass through the hooks of `Registry` (feed_records, request, answer). The plain class
changes nothing, so the proxy answers exactly like the reference. A mutant (mutants/*.py)
subclasses `Registry`, overrides one hook with one realistic bug and calls `main(Subclass)`.

Python 3 standard library only.

    python3 examples/registry-proxy/proxy.py
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse

PROTOCOL = "onshi-cap/1"
NAME = "registry-proxy"
VERSION = "1.0"

# The longest line onshi sends (a `facts` message is at most ~512 KiB of records).
MAX_LINE = 16 * 1024 * 1024
# The largest request body the proxy forwards (larger: 413 without reading it).
MAX_BODY = 16 * 1024 * 1024
# Seconds to wait for the backend's "listening on" line.
START_TIMEOUT = 10.0
# Seconds for one exchange with the backend.
BACKEND_TIMEOUT = 30.0
# Request headers passed on to the backend (besides the body's length).
FORWARDED_HEADERS = ("Content-Type", "Accept", "Authorization")
LISTENING = "listening on "


def log(text: str) -> None:
    """A line of free text on standard error (onshi shows the last ones on a failure)."""
    sys.stderr.write("registry-proxy: %s\n" % text)
    sys.stderr.flush()


def record_key(rec: dict) -> str:
    """The identity of a feed record: a later record with the same key replaces it whole."""
    kind = rec.get("type")
    if kind in ("rules", "jlisCa"):
        return kind
    by = {
        "institution": ("code",),
        "insurer": ("number",),
        "person": ("id",),
        "certificate": ("serial",),
        "qualification": ("id",),
        "registration": ("seq",),
        "consents": ("holder", "institution"),
        "medical": ("holder",),
        "checkups": ("holder",),
        "referenceNumber": ("institution", "qualification"),
        "outage": ("seq",),
    }.get(kind, ())
    return "/".join([str(kind)] + [str(rec.get(f)) for f in by])


class BackendError(Exception):
    """The backend could not be reached or refused a call."""


class Backend:
    """`onshi serve-registry` as a child process, and calls to it."""

    def __init__(self, executable: str):
        self.executable = executable
        self.process = None
        self.host = None
        self.port = None

    @property
    def url(self) -> str:
        return "http://%s:%d" % (self.host, self.port)

    def start(self) -> None:
        """Starts the backend and waits for the line that says where it listens."""
        try:
            self.process = subprocess.Popen(
                [self.executable, "serve-registry", "--http", "127.0.0.1:0", "--lang", "en"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=None)
        except OSError as e:
            raise BackendError("cannot start %s serve-registry: %s" % (self.executable, e))
        first = {}

        def read_first_line():
            first["line"] = self.process.stdout.readline()

        reader = threading.Thread(target=read_first_line, daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)
        line = first.get("line")
        if line is None:
            self.stop()
            raise BackendError("`%s serve-registry` did not say where it listens within %g s"
                               % (self.executable, START_TIMEOUT))
        text = line.decode("utf-8", "replace").strip()
        at = text.find(LISTENING)
        if at < 0:
            self.stop()
            raise BackendError("`serve-registry` began with %r, not \"... listening on URL\""
                               % text[:200])
        parts = urllib.parse.urlsplit(text[at + len(LISTENING):].split()[0])
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            self.stop()
            raise BackendError("`serve-registry` listens at %r: not an http://host:port URL"
                               % text[:200])
        self.host, self.port = parts.hostname, parts.port
        # The rest of its standard output is read and dropped, so that it never blocks.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        out = self.process.stdout
        while out.read(65536):
            pass

    def call(self, method: str, path: str, headers: dict, body: bytes):
        """One exchange: (status, content type, body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=BACKEND_TIMEOUT)
        try:
            conn.request(method, path, body=body if body or method != "GET" else None,
                         headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            return answer.status, answer.getheader("Content-Type"), data
        except (OSError, http.client.HTTPException) as e:
            raise BackendError("%s %s at the backend: %s" % (method, path, e))
        finally:
            conn.close()

    def feed(self, now, records) -> None:
        """POST /onshi/registry/feed; raises BackendError with the backend's text on a refusal."""
        body = json.dumps({"now": now, "records": records}, ensure_ascii=False).encode("utf-8")
        status, _, data = self.call("POST", "/onshi/registry/feed",
                                    {"Content-Type": "application/json"}, body)
        text = data.decode("utf-8", "replace")
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if status == 200 and isinstance(answer, dict) and answer.get("status") == "ok":
            return
        if isinstance(answer, dict) and answer.get("msg"):
            raise BackendError("the backend refused the feed (HTTP %d, %s): %s"
                               % (status, answer.get("code", "?"), answer["msg"]))
        raise BackendError("the backend refused the feed (HTTP %d): %s" % (status, text[:500]))

    def stop(self) -> None:
        """Terminates the backend; kills it if it is still there after 2 s."""
        p, self.process = self.process, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(2)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Registry:
    """The registry under test: the backend, the feed link and the HTTP proxy in front of it.

    The three hooks are where a registry of one's own would differ from the reference; here
    they change nothing. `self.facts` is the feed as told so far (key → latest record), for a
    hook that needs to look something up.
    """

    name = NAME
    version = VERSION

    def __init__(self, backend: Backend):
        self.backend = backend
        self.facts = {}
        self.lock = threading.Lock()

    # -- hooks ---------------------------------------------------------------------------

    def feed_records(self, records: list) -> list:
        """The records of one `facts` message, as forwarded to the backend."""
        return records

    def request(self, method: str, path: str, headers: dict, body: bytes):
        """A request before it is forwarded: returns (path, body)."""
        return path, body

    def answer(self, method: str, path: str, status: int, content_type, body: bytes) -> bytes:
        """The backend's answer before it goes back to onshi: returns the body."""
        return body

    # -- the feed link -------------------------------------------------------------------

    def told(self, now, records: list) -> None:
        """Applies one `facts` or `time` message."""
        with self.lock:
            for rec in records:
                if isinstance(rec, dict):
                    self.facts[record_key(rec)] = rec
            forwarded = self.feed_records(records)
            self.backend.feed(now, forwarded)

    # -- the HTTP proxy ------------------------------------------------------------------

    def forward(self, method: str, path: str, headers: dict, body: bytes):
        """One request through the hooks to the backend: (status, content type, body)."""
        with self.lock:
            path, body = self.request(method, path, headers, body)
        out = {k: v for k, v in headers.items() if v is not None}
        if body or method not in ("GET", "HEAD"):
            out["Content-Length"] = str(len(body))
        status, content_type, data = self.backend.call(method, path, out, body)
        with self.lock:
            data = self.answer(method, path, status, content_type, data)
        return status, content_type, data


def handler_for(registry: Registry):
    """The request handler class of the proxy's HTTP server."""

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "registry-proxy/" + VERSION
        sys_version = ""

        def _reply(self, status: int, content_type, body: bytes) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.close_connection = True

        def _error(self, status: int, code: str, msg: str) -> None:
            body = json.dumps({"status": "error", "code": code, "msg": msg}).encode("utf-8")
            self._reply(status, "application/json", body)

        def _forward(self) -> None:
            length = self.headers.get("Content-Length")
            if self.headers.get("Transfer-Encoding"):
                return self._error(411, "length_required",
                                   "send the body with a Content-Length, not chunked")
            try:
                size = int(length) if length is not None else 0
            except ValueError:
                return self._error(400, "malformed_length", "Content-Length is not a number")
            if size < 0:
                return self._error(400, "malformed_length", "Content-Length is negative")
            if size > MAX_BODY:
                return self._error(413, "too_large",
                                   "the body is larger than %d bytes" % MAX_BODY)
            body = self.rfile.read(size) if size else b""
            if len(body) != size:
                return self._error(400, "truncated",
                                   "the body ended after %d of %d bytes" % (len(body), size))
            headers = {h: self.headers.get(h) for h in FORWARDED_HEADERS}
            try:
                status, content_type, data = registry.forward(
                    self.command, self.path, headers, body)
            except BackendError as e:
                log(str(e))
                return self._error(502, "backend", str(e))
            except Exception as e:  # a hook that failed: say so rather than drop the connection
                log("%s %s: %s: %s" % (self.command, self.path, type(e).__name__, e))
                return self._error(500, "proxy", "%s: %s" % (type(e).__name__, e))
            self._reply(status, content_type, data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _forward

        def log_message(self, fmt, *args) -> None:  # quiet: onshi keeps stderr for faults
            pass

    return Handler


class ProtocolError(Exception):
    """A message onshi should not have sent."""


class Adapter:
    """The onshi-cap/1 loop of the registry role."""

    def __init__(self, registry_class=Registry):
        self.registry_class = registry_class
        self.backend = None
        self.registry = None
        self.server = None

    def handle(self, msg: dict):
        kind = msg.get("type")
        if kind == "registry_hello":
            return self.hello(msg)
        if self.registry is None:
            raise ProtocolError("`%s` before `registry_hello`" % kind)
        if kind == "facts":
            records = msg.get("records") or []
            if not isinstance(records, list):
                raise ProtocolError("`records` is not a list")
            self.registry.told(msg.get("now"), records)
            return {"type": "done"}
        if kind == "time":
            self.registry.told(msg.get("now"), [])
            return {"type": "done"}
        if kind == "end":
            return {"type": "bye"}
        raise ProtocolError("unknown message type %r" % kind)

    def hello(self, msg: dict) -> dict:
        if msg.get("protocol") != PROTOCOL:
            raise ProtocolError("onshi speaks %r; this adapter speaks %s"
                                % (msg.get("protocol"), PROTOCOL))
        if self.registry is not None:
            raise ProtocolError("a second `registry_hello`")
        executable = os.environ.get("ONSHI_BIN") or shutil.which("onshi") or "onshi"
        self.backend = Backend(executable)
        self.backend.start()
        self.registry = self.registry_class(self.backend)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      handler_for(self.registry))
        self.server.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to notice (0.5 s by default,
        # which would be half a second at the end of every scenario).
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        host, port = self.server.server_address[:2]
        log("backend %s, proxy http://%s:%d (scenario %s)"
            % (self.backend.url, host, port, msg.get("scenario")))
        return {"type": "ready", "protocol": PROTOCOL,
                "system": {"name": self.registry.name, "version": self.registry.version},
                "service": "http://%s:%d" % (host, port)}

    def shutdown(self) -> None:
        if self.backend is not None:
            self.backend.stop()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def run(self, stdin=None, stdout=None) -> None:
        stdin = stdin or sys.stdin.buffer
        stdout = stdout or sys.stdout.buffer

        def send(obj: dict) -> None:
            stdout.write(json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n")
            stdout.flush()

        try:
            while True:
                line = stdin.readline(MAX_LINE + 1)
                if not line:
                    break  # onshi closed standard input: stop the backend and go
                if len(line) > MAX_LINE:
                    send({"type": "error", "message": "a line longer than %d bytes" % MAX_LINE})
                    break
                if not line.strip():
                    continue
                try:
                    msg = json.loads(line.decode("utf-8"))
                    if not isinstance(msg, dict):
                        raise ProtocolError("a line that is not a JSON object")
                    reply = self.handle(msg)
                except (ValueError, ProtocolError, BackendError) as e:
                    log(str(e))
                    send({"type": "error", "message": str(e)})
                    continue
                except Exception as e:  # a hook that failed: report it, keep serving
                    log("%s: %s" % (type(e).__name__, e))
                    send({"type": "error", "message": "%s: %s" % (type(e).__name__, e)})
                    continue
                send(reply)
                if reply.get("type") == "bye":
                    break
        finally:
            self.shutdown()


def main(registry_class=Registry) -> None:
    Adapter(registry_class).run()
    sys.exit(0)


if __name__ == "__main__":
    main()
