"""One small HTTP client for every upstream: timeouts, bounded retries, clear errors."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests

RETRY_STATUSES = {429, 500, 502, 503, 504}


class SourceError(RuntimeError):
    """An upstream could not be reached or gave an unusable answer."""


@dataclass
class HttpClient:
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 0.5
    user_agent: str = "tym-portal (+https://github.com/tym-portal)"

    def __post_init__(self) -> None:
        self._session = requests.Session()
        self._session.headers["User-Agent"] = self.user_agent

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send a request; retry connection errors, timeouts, 429 and 5xx a bounded
        number of times (honouring Retry-After up to 30 s); raise ``SourceError``."""
        kwargs.setdefault("timeout", self.timeout)
        last = ""
        for attempt in range(self.retries + 1):
            try:
                response = self._session.request(method, url, **kwargs)
            except requests.Timeout:
                last = f"no answer within {self.timeout:g} s"
            except requests.ConnectionError as exc:
                last = f"cannot connect ({type(exc).__name__})"
            else:
                if response.status_code < 400:
                    return response
                last = f"HTTP {response.status_code}{_excerpt(response)}"
                if response.status_code not in RETRY_STATUSES:
                    break
                retry_after = response.headers.get("Retry-After", "")
                if retry_after.isdigit() and attempt < self.retries:
                    time.sleep(min(int(retry_after), 30))
                    continue
            if attempt < self.retries:
                time.sleep(self.backoff * (2 ** attempt))
        raise SourceError(f"{method} {url}: {last} (after {attempt + 1} attempts)")

    def get_json(self, url: str, **kwargs: Any) -> Any:
        response = self.request("GET", url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise SourceError(f"GET {url}: answer is not valid JSON "
                              f"({len(response.content)} bytes)") from None

    def get_bytes(self, url: str, **kwargs: Any) -> bytes:
        return self.request("GET", url, **kwargs).content

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _excerpt(response: requests.Response, limit: int = 300) -> str:
    """The start of an error answer's text, so the upstream's own explanation is shown."""
    text = " ".join(response.text.split())[:limit] if response.content else ""
    return f": {text}" if text else ""
