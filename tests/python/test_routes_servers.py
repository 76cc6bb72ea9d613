"""Route normalisation through real servers: uvicorn (ASGI, Starlette's Mount) and waitress
(WSGI, Flask's routes), each with an `/admin` location and a top-level one.

Every target of tests/vectors/requests/routes_normalised.json written for its admin policy
(a permissive top level with credentials, a stricter `/admin/*` route) is sent as a raw
request line. Checked per target: the answer is the vector's, and, from the server itself,
the property docs/semantics.md states: a request that reached the `/admin` location is never
allowed for an origin only the top level allows.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_servers import Server

from conftest import free_port

VECTORS = Path(__file__).resolve().parents[1] / "vectors/requests/routes_normalised.json"
TOP_ONLY = "https://public.example"


def admin_cases() -> list[dict[str, Any]]:
    cases = json.loads(VECTORS.read_text())["cases"]
    first = cases[0]["policy"]
    return [c for c in cases if c["policy"] == first and c["request"]["method"] == "GET"]


def send(port: int, target: str, origin: str) -> tuple[int, dict[str, str], str]:
    """One raw request line; the status, lower-cased headers and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(
            f"GET {target} HTTP/1.1\r\nHost: api.example\r\nOrigin: {origin}\r\n"
            "Connection: close\r\n\r\n".encode("latin-1")
        )
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body.decode("latin-1")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    policy = tmp_path_factory.mktemp("routes") / "cors.json"
    policy.write_text(json.dumps(admin_cases()[0]["policy"]))
    env = {"CORSGATE_POLICY": str(policy)}
    uvicorn_port, waitress_port = free_port(), free_port()
    uvicorn = [sys.executable, "-m", "uvicorn", "--factory", "asgi_apps:create"]
    uvicorn += ["--host", "127.0.0.1", "--port", str(uvicorn_port), "--log-level", "warning"]
    waitress = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{waitress_port}"]
    waitress += ["--call", "wsgi_apps:create_routes"]
    started = {
        "uvicorn": Server(uvicorn, {**env, "CORSGATE_MODE": "routes"}, uvicorn_port),
        "waitress": Server(waitress, env, waitress_port),
    }
    try:
        for s in started.values():
            s.wait()
        yield started
    finally:
        for s in started.values():
            s.stop()


@pytest.mark.parametrize("server", ["uvicorn", "waitress"])
def test_no_target_reaches_admin_under_the_top_level(
    servers: dict[str, Server], server: str
) -> None:
    reached_admin = 0
    for case in admin_cases():
        target = case["request"]["path"]
        origin = dict(case["request"]["headers"])["Origin"]
        status, headers, body = send(servers[server].port, target, origin)
        if status == 404:  # uvicorn's h11 answers 404 to an absolute-form target
            assert target.startswith("http://"), (server, target)
            continue
        # Flask redirects `/admin` to `/admin/` (308): no location's content, same CORS answer.
        assert status in (200, 308), (server, target, status)
        expect = case["expect"]
        acao = headers.get("access-control-allow-origin")
        assert (acao == origin) == expect["allowed"], (server, case["name"], headers)
        if body == "admin":
            reached_admin += 1
            assert not (origin == TOP_ONLY and acao), (server, target, "false allow")
    # The attack's forms do reach /admin on these servers.
    assert reached_admin >= 8, (server, reached_admin)
