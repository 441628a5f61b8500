"""Prior's mitmdump addon: every flow as one JSON line in the session bundle (raw/http.jsonl).

Shipped inside Prior (crates/prior-intercept/addon/prior_flows.py, embedded and written out at
run time); the line format is docs/interception.md's and docs/bundle.md's contract:

  {"type": "proxy", "event": "started" | "stopped", ...}
  {"type": "flow", "method": ..., "url": ..., "request_body_b64": ..., ...}
  {"type": "tls_failed", "sni": ..., "server": ..., "error": ...}
  {"type": "upstream_blocked", "server": ...}

Times (`host_us`) are the HOST clock in microseconds since the epoch. With the option
`prior_upstream` false (Prior's default) no flow reaches the internet: the request hook answers
every request itself, and any connection mitmproxy would still open to a server is refused
and recorded as `upstream_blocked`.
"""

import asyncio
import base64
import json
import os
import time

from mitmproxy import ctx, http, version

MAX_BODY = 1 << 20  # bytes of one request body kept in the bundle


def _now_us():
    return time.time_ns() // 1000


def _addr(a):
    if not a:
        return None
    try:
        return "%s:%s" % (a[0], a[1])
    except (TypeError, IndexError):
        return str(a)


class PriorFlows:
    def __init__(self):
        self.out = None

    def load(self, loader):
        loader.add_option("prior_out", str, "", "JSON-lines file Prior reads (raw/http.jsonl)")
        loader.add_option("prior_upstream", bool, False,
                          "let flows reach their servers (Prior never sets this)")
        loader.add_option("prior_parent_pid", int, 0,
                          "shut down when this process (Prior) is gone")

    def _write(self, record):
        if self.out is None:
            if not ctx.options.prior_out:
                return
            self.out = open(ctx.options.prior_out, "a", encoding="utf-8")
        self.out.write(json.dumps(record, ensure_ascii=True, separators=(",", ":")) + "\n")
        self.out.flush()

    def running(self):
        self._write({
            "type": "proxy", "host_us": _now_us(), "event": "started",
            "version": "mitmproxy " + version.VERSION,
            "listen": "%s:%s" % (ctx.options.listen_host or "0.0.0.0", ctx.options.listen_port),
        })
        if ctx.options.prior_parent_pid > 1:
            self._watch = asyncio.get_running_loop().create_task(self._watch_parent())

    async def _watch_parent(self):
        pid = ctx.options.prior_parent_pid
        while True:
            await asyncio.sleep(1)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                ctx.master.shutdown()
                return
            except PermissionError:
                pass

    def request(self, flow: http.HTTPFlow):
        req = flow.request
        decoded = True
        try:
            body = req.get_content(strict=True)
        except ValueError:
            body = req.raw_content
            decoded = False
        body = body or b""
        record = {
            "type": "flow",
            "host_us": int((req.timestamp_start or time.time()) * 1_000_000),
            "id": flow.id,
            "client": _addr(flow.client_conn.peername),
            "method": req.method,
            "scheme": req.scheme,
            "host": req.pretty_host,
            "port": req.port,
            "path": req.path,
            "url": req.pretty_url,
            "http_version": req.http_version,
            "request_headers": [[k, v] for k, v in req.headers.items(multi=True)],
            "request_body_b64": base64.b64encode(body[:MAX_BODY]).decode("ascii"),
            "request_body_decoded": decoded,
        }
        if len(body) > MAX_BODY:
            record["request_body_truncated"] = len(body)
        if not ctx.options.prior_upstream:
            flow.response = http.Response.make(
                200, b"{}", {"Content-Type": "application/json", "X-Prior": "answered-locally"})
            record["response_status"] = 200
            record["answered_by"] = "prior"
        self._write(record)

    def tls_failed_client(self, data):
        conn = data.conn
        server = data.context.server.address if data.context and data.context.server else None
        self._write({
            "type": "tls_failed", "host_us": _now_us(),
            "client": _addr(conn.peername),
            "sni": conn.sni,
            "server": _addr(server),
            "error": "client rejected the certificate (pinning?): %s" % (conn.error or "handshake failed"),
        })

    def server_connect(self, data):
        if ctx.options.prior_upstream:
            return
        data.server.error = "Prior answers every flow locally; no upstream connection"
        self._write({"type": "upstream_blocked", "host_us": _now_us(),
                     "server": _addr(data.server.address)})

    def done(self):
        if getattr(self, "_watch", None) is not None:
            self._watch.cancel()
        self._write({"type": "proxy", "host_us": _now_us(), "event": "stopped",
                     "version": "mitmproxy " + version.VERSION})
        if self.out is not None:
            self.out.close()
            self.out = None


addons = [PriorFlows()]
