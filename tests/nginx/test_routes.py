"""Route normalisation through a real nginx: a policy with a permissive top level (with
credentials) and a stricter `/admin/*` route, at server level; `location /admin/` and
`location /` each answer with their name.

Every target of tests/vectors/requests/routes_normalised.json written for that policy is sent
as a raw request line. Checked per target: the answer is the vector's, and, from nginx itself,
the property docs/semantics.md states: a request that reached `location /admin/` is never
allowed for an origin only the top level allows.
"""

from __future__ import annotations

import json
import unittest
from typing import Any

import harness

VECTORS = harness.ROOT / "tests/vectors/requests/routes_normalised.json"
TOP_ONLY = "https://public.example"


def admin_cases() -> list[dict[str, Any]]:
    cases = json.loads(VECTORS.read_text())["cases"]
    first = cases[0]["policy"]
    return [c for c in cases if c["policy"] == first and c["request"]["method"] == "GET"]


class Routes(unittest.TestCase):
    def test_no_target_reaches_admin_under_the_top_level(self) -> None:
        cases = admin_cases()
        self.assertGreaterEqual(len(cases), 20)
        ngx = harness.Nginx()
        self.addCleanup(ngx.stop)
        ngx.write("cors/routes.json", json.dumps(cases[0]["policy"]))
        port = harness.free_port()
        ngx.conf.write_text(
            ngx.config(f"""
    server {{
        listen 127.0.0.1:{port};
        corsgate_policy cors/routes.json;
        location /admin/ {{ return 200 "admin"; }}
        location / {{ return 200 "top"; }}
    }}
""")
        )
        ngx.start()
        reached_admin = 0
        for case in cases:
            target = case["request"]["path"]
            origin = dict(case["request"]["headers"])["Origin"]
            r = harness.request(port, "GET", target, [("Origin", origin)])
            self.assertEqual(r.status, 200, (target, r.body))
            acao = r.get("Access-Control-Allow-Origin")
            self.assertEqual(acao == origin.encode(), case["expect"]["allowed"], (case["name"], r.cors()))
            if r.body == b"admin":
                reached_admin += 1
                self.assertFalse(origin == TOP_ONLY and acao, (target, "false allow"))
        # nginx decodes, merges slashes and removes dot segments: the attack's forms reach /admin/.
        self.assertGreaterEqual(reached_admin, 15)


if __name__ == "__main__":
    unittest.main()
