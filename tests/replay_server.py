"""A local HTTP server that replays recorded upstream answers (no test touches the internet).

Routes map a path (and optionally a query-string substring) to a canned answer:
status, headers, body bytes, and an optional delay or a connection drop. A route
added with ``query`` answers only requests whose query string contains it and wins
over the path-only route. An answer may also be a function of the request (``Seen``)
returning an ``Answer``, for a fake service that computes its answers (PxWeb data by
POST body). Every request is recorded so tests can assert what a client asked for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class Seen:
    method: str
    path: str
    query: str
    body: bytes


Responder = Callable[[Seen], Answer]


class ReplayServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Answer | Responder]] = {}
        self.query_routes: dict[tuple[str, str], list[Answer | Responder]] = {}
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, parts.path, parts.query, body)
                server.seen.append(seen)
                answers = next((a for (path, query), a in server.query_routes.items()
                                if path == parts.path and query in parts.query),
                               server.routes.get(parts.path))
                if not answers:
                    answer = Answer(b'{"error": "not found"}', status=404)
                else:
                    # A list of answers is served in order; the last one repeats.
                    answer = answers.pop(0) if len(answers) > 1 else answers[0]
                if callable(answer):
                    answer = answer(seen)
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *_args) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, *answers: Answer | Responder, query: str | None = None) -> None:
        if query is None:
            self.routes[path] = list(answers)
        else:
            self.query_routes[(path, query)] = list(answers)

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
