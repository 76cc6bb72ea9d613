"""Real servers on 127.0.0.1, exercised over HTTP.

- FastAPI under uvicorn twice, once with Starlette's CORSMiddleware and once with
  corsgate's drop-in: every answer must be identical (status, body, header names, values and
  order; only `date` differs).
- A Starlette app under uvicorn with `policy=` (strict semantics) and a Flask app under
  waitress behind the WSGI middleware: answers checked against docs/semantics.md.
- Django under waitress (WSGI) and under uvicorn (ASGI, async middleware path), once with
  django-cors-headers and once with corsgate.django, and Flask under waitress with flask-cors
  and with corsgate.flask: every answer must be identical (only `date` differs). Django with
  `CORSGATE_POLICY` under both servers: the strict answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import free_port

APPS = Path(__file__).resolve().parent / "apps"
APP = "https://app.example.com"
POLICY = """
origins = ["https://app.example.com"]
methods = ["PUT"]
request_headers = ["x-trace", "content-type"]
expose_headers = ["x-request-id"]
credentials = true
max_age = 300
"""


class Server:
    def __init__(self, argv: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            argv,
            cwd=APPS,
            # One hash seed: Flask lists `Allow` from a set, in hash order.
            env={**os.environ, **env, "PYTHONPATH": str(APPS), "PYTHONHASHSEED": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"server exited: {err}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


def uvicorn(mode: str, policy: Path | None = None) -> Server:
    port = free_port()
    env = {"CORSGATE_MODE": mode}
    if policy is not None:
        env["CORSGATE_POLICY"] = str(policy)
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "asgi_apps:create",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-server-header",
    ]
    return Server(argv, env, port)


def waitress(policy: Path, app: str = "wsgi_apps:create", mode: str = "") -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "waitress",
        f"--listen=127.0.0.1:{port}",
        "--call",
        app,
    ]
    return Server(argv, {"CORSGATE_POLICY": str(policy), "CORSGATE_MODE": mode}, port)


def django_asgi(mode: str, policy: Path) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "django_app:asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-server-header",
    ]
    return Server(argv, {"CORSGATE_MODE": mode, "CORSGATE_POLICY": str(policy)}, port)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    policy = tmp_path_factory.mktemp("policy") / "cors.toml"
    policy.write_text(POLICY)
    started = {
        "theirs": uvicorn("theirs"),
        "ours": uvicorn("ours"),
        "strict": uvicorn("strict", policy),
        "flask": waitress(policy),
        "django-wsgi-theirs": waitress(policy, "django_app:wsgi", "theirs"),
        "django-wsgi-ours": waitress(policy, "django_app:wsgi", "ours"),
        "django-wsgi-strict": waitress(policy, "django_app:wsgi", "strict"),
        "django-asgi-theirs": django_asgi("theirs", policy),
        "django-asgi-ours": django_asgi("ours", policy),
        "django-asgi-strict": django_asgi("strict", policy),
        "flask-cors-theirs": waitress(policy, "flask_cors_apps:create", "theirs"),
        "flask-cors-ours": waitress(policy, "flask_cors_apps:create", "ours"),
    }
    try:
        for s in started.values():
            s.wait()
        yield started
    finally:
        for s in started.values():
            s.stop()


def preflight(origin: str, method: str, headers: str | None = None) -> dict[str, str]:
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        h["Access-Control-Request-Headers"] = headers
    return h


REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/items", {}),
    ("GET", "/items", {"Origin": APP}),
    ("GET", "/items", {"Origin": "https://pr-7.preview.example.com"}),
    ("GET", "/items", {"Origin": "https://evil.example"}),
    ("PUT", "/items", {"Origin": APP}),
    ("GET", "/boom", {"Origin": APP}),
    ("GET", "/missing", {"Origin": APP}),
    ("HEAD", "/items", {"Origin": APP}),
    ("OPTIONS", "/items", {"Origin": APP}),
    ("OPTIONS", "/items", preflight(APP, "PUT", "x-trace,content-type")),
    ("OPTIONS", "/items", preflight(APP, "DELETE")),
    ("OPTIONS", "/items", preflight("https://evil.example", "PUT", "x-nope")),
    ("OPTIONS", "/anything", preflight("https://pr-1.preview.example.com", "GET")),
]


def raw(response: httpx.Response) -> list[tuple[bytes, bytes]]:
    return [(k.lower(), v) for k, v in response.headers.raw if k.lower() != b"date"]


@pytest.mark.parametrize(("method", "path", "headers"), REQUESTS)
def test_fastapi_under_uvicorn_same_as_starlette(
    servers: dict[str, Server], method: str, path: str, headers: dict[str, str]
) -> None:
    theirs = httpx.request(method, servers["theirs"].url + path, headers=headers)
    ours = httpx.request(method, servers["ours"].url + path, headers=headers)
    assert ours.status_code == theirs.status_code
    assert ours.content == theirs.content
    assert raw(ours) == raw(theirs)


def test_strict_policy_under_uvicorn(servers: dict[str, Server]) -> None:
    url = servers["strict"].url + "/items"
    r = httpx.options(url, headers=preflight(APP, "PUT", "X-Trace"))
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["access-control-allow-methods"] == "PUT"
    assert r.headers["access-control-allow-headers"] == "x-trace, content-type"
    assert r.headers["access-control-max-age"] == "300"
    assert (
        r.headers["vary"] == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    )

    r = httpx.options(url, headers=preflight("https://evil.example", "PUT"))
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers

    r = httpx.get(url, headers={"Origin": APP})
    assert (r.status_code, r.text) == (200, "hello")
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-expose-headers"] == "x-request-id"
    assert r.headers["vary"] == "Origin"


def test_flask_under_waitress(servers: dict[str, Server]) -> None:
    base = servers["flask"].url
    r = httpx.options(base + "/items", headers=preflight(APP, "PUT", "content-type"))
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-allow-methods"] == "PUT"
    assert r.headers["access-control-allow-headers"] == "x-trace, content-type"

    r = httpx.options(base + "/items", headers=preflight(APP, "DELETE"))
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers

    r = httpx.get(base + "/items", headers={"Origin": APP})
    assert r.status_code == 200
    assert r.json() == {"ok": True}
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-allow-credentials"] == "true"
    assert r.headers["x-request-id"] == "7"
    assert r.headers.get_list("vary") == ["Accept-Encoding, Origin"]

    r = httpx.get(base + "/items", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    assert r.headers.get_list("vary") == ["Accept-Encoding, Origin"]

    # Error responses carry the CORS headers too, so the page can read the error.
    r = httpx.get(base + "/boom", headers={"Origin": APP})
    assert r.status_code == 500
    assert r.headers["access-control-allow-origin"] == APP

    r = httpx.get(base + "/stream", headers={"Origin": APP})
    assert r.text == "abc"
    assert r.headers["access-control-allow-origin"] == APP

    r = httpx.get(base + "/items")
    assert "access-control-allow-origin" not in r.headers
    assert r.headers.get_list("vary") == ["Accept-Encoding, Origin"]


DJANGO_REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    *REQUESTS,
    ("GET", "/async", {"Origin": APP}),
    ("OPTIONS", "/async", preflight("https://pr-3.preview.example.com", "PUT")),
    ("GET", "/other", {"Origin": APP}),
    ("OPTIONS", "/other", preflight(APP, "PUT")),
    ("OPTIONS", "/items", {"Access-Control-Request-Method": "PUT"}),
]


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_django_same_as_django_cors_headers(servers: dict[str, Server], server: str) -> None:
    """waitress (sync middleware path) and uvicorn (async path)."""
    for method, path, headers in DJANGO_REQUESTS:
        theirs = httpx.request(
            method, servers[f"django-{server}-theirs"].url + path, headers=headers
        )
        ours = httpx.request(method, servers[f"django-{server}-ours"].url + path, headers=headers)
        assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content), path
        assert raw(ours) == raw(theirs), (method, path, headers)
    # The requests did carry CORS: the allowed origin was answered.
    r = httpx.get(servers[f"django-{server}-ours"].url + "/items", headers={"Origin": APP})
    assert r.headers["access-control-allow-origin"] == APP


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
def test_django_strict_policy(servers: dict[str, Server], server: str) -> None:
    base = servers[f"django-{server}-strict"].url
    r = httpx.options(base + "/items", headers=preflight(APP, "PUT", "X-Trace"))
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-allow-methods"] == "PUT"
    assert r.headers["access-control-max-age"] == "300"
    assert "content-type" not in r.headers
    r = httpx.options(base + "/items", headers=preflight("https://evil.example", "PUT"))
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers
    r = httpx.get(base + "/items", headers={"Origin": APP})
    assert r.json() == {"ok": True}
    assert r.headers["access-control-allow-origin"] == APP
    assert r.headers["access-control-expose-headers"] == "x-request-id"
    assert r.headers["vary"] == "Accept-Encoding, Origin"
    r = httpx.get(base + "/async", headers={"Origin": APP})
    assert r.json() == {"async": True}
    assert r.headers["access-control-allow-credentials"] == "true"


FLASK_REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/api/items", {"Origin": APP}),
    ("GET", "/api/items", {"Origin": "https://pr-9.preview.example.com"}),
    ("GET", "/api/items", {"Origin": "https://pr-9.preview.example.com.evil.example"}),
    ("GET", "/api/items", {"Origin": "https://evil.example"}),
    ("GET", "/api/items", {}),
    ("PUT", "/api/items", {"Origin": APP}),
    ("GET", "/api/teapot", {"Origin": APP}),
    ("GET", "/api/missing", {"Origin": APP}),
    ("OPTIONS", "/api/items", preflight(APP, "PUT", "x-trace,content-type")),
    ("OPTIONS", "/api/items", preflight("https://evil.example", "PUT")),
    ("OPTIONS", "/public", preflight("https://evil.example", "GET", "x-any")),
    ("GET", "/public", {"Origin": "https://evil.example"}),
]


def test_flask_same_as_flask_cors_under_waitress(servers: dict[str, Server]) -> None:
    for method, path, headers in FLASK_REQUESTS:
        theirs = httpx.request(method, servers["flask-cors-theirs"].url + path, headers=headers)
        ours = httpx.request(method, servers["flask-cors-ours"].url + path, headers=headers)
        assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content), path
        assert raw(ours) == raw(theirs), (method, path, headers)
    r = httpx.get(servers["flask-cors-ours"].url + "/api/items", headers={"Origin": APP})
    assert r.headers["access-control-allow-origin"] == APP
