"""The browser checker through ``corsgate.browser``: every browser vector (tests/vectors/browser/)
gives the same verdict, errors and readable headers as the README there says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corsgate import browser

VECTORS = Path(__file__).resolve().parent.parent / "vectors" / "browser"


def cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for file in sorted(VECTORS.glob("*.json")):
        for case in json.loads(file.read_text(encoding="utf-8"))["cases"]:
            out.append((f"{file.stem}:{case['name']}", case))
    return out


def response(v: dict[str, Any] | None) -> browser.Response | None:
    if v is None:
        return None
    return browser.Response(v["status"], [(n, h) for n, h in v["headers"]])


def same_error(expected: dict[str, Any] | None, got: dict[str, Any] | None) -> None:
    if expected is None:
        assert got is None
        return
    assert got is not None
    assert got["kind"] == expected["kind"]
    if "message" in expected:
        assert got["message"] == expected["message"]
    if "value" in expected:
        assert got["value"] == expected["value"]


@pytest.mark.parametrize(("name", "case"), cases(), ids=[n for n, _ in cases()])
def test_browser_vector(name: str, case: dict[str, Any]) -> None:
    r = case["request"]
    expect = case["expect"]

    def run(in_browser: browser.Browser = "chromium") -> dict[str, Any]:
        return browser.check(
            r.get("origin", "https://app.example"),
            r.get("url", "https://api.example/data"),
            method=r.get("method", "GET"),
            headers=[(n, v) for n, v in r.get("headers", [])],
            credentials=r.get("credentials", "same-origin"),
            mode=r.get("mode", "cors"),
            preflight=response(case.get("preflight")),
            response=response(case.get("response")),
            browser=in_browser,
        )

    firefox = expect["firefox"]
    if "request_error" in expect:
        with pytest.raises(browser.RequestError) as info:
            run()
        assert info.value.kind == expect["request_error"]
        with pytest.raises(browser.RequestError) as info:
            run("firefox")
        assert info.value.kind == firefox["request_error"]
        return
    got = run("firefox")["browser"]
    assert (got["name"], got["verdict"]) == ("firefox", firefox["verdict"])
    if firefox.get("error") is None:
        assert got["error"] is None
    else:
        e = got["error"]
        want = firefox["error"]
        assert (e["kind"], e["message"], e["value"]) == (
            want["kind"],
            want["message"],
            want.get("value"),
        )
        assert e["console"] == [want["message"], *want.get("then", [])]
    out = run()
    assert out["browser"]["name"] == "chromium"
    assert out["verdict"] == expect.get("verdict", out["verdict"])
    if "missing" in expect:
        assert out["missing"] == expect["missing"]
    if "preflight_request" in expect:
        pf = expect["preflight_request"]
        got = out["preflight_request"]
        if pf is None:
            assert got is None
        else:
            assert (got["method"], got["request_headers"]) == (pf["method"], pf["request_headers"])
    if "error" in expect:
        same_error(expect["error"], out["blocked"])
        same_error(expect.get("chrome_error", expect["error"]), out["blocked_in_chrome"])
    if "cache_seconds" in expect:
        assert out["preflight"]["cache_seconds"] == expect["cache_seconds"]
    for key in ("readable_headers", "hidden_headers", "opaque"):
        if key in expect:
            assert out["response"][key] == expect[key]


def test_invalid_input_is_a_value_error() -> None:
    with pytest.raises(browser.RequestError) as info:
        browser.check("https://app.example", "https://api.example/", credentials="bogus")  # type: ignore[arg-type]
    assert info.value.kind == "invalid_input"
