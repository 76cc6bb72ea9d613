"""corsgate's counters as Prometheus metrics: a prometheus_client custom collector over
``policy.stats()`` (a ``SharedPolicy`` reports the policy serving now).

    from prometheus_client import REGISTRY, start_http_server
    REGISTRY.register(CorsgateCollector(policy))
    start_http_server(9100)

gives ``corsgate_requests_total{kind="actual",verdict="denied",reason="origin_not_allowed"}``
and its siblings, one sample per counter (zeros included, so rates start at once).
``policy.stats_text()`` is the same in the text format, for a server without prometheus_client.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from corsgate import Policy, SharedPolicy


class CorsgateCollector(Collector):
    """Reads the policy's counters at every scrape."""

    def __init__(self, policy: Policy | SharedPolicy) -> None:
        self.policy = policy

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "corsgate_requests",
            "Requests corsgate decided, by kind, verdict and reason.",
            labels=["kind", "verdict", "reason"],
        )
        stats = self.policy.stats()
        family.add_metric(["not_cors", "allowed", ""], stats["not_cors"])
        for kind in ("preflight", "actual"):
            family.add_metric([kind, "allowed", ""], stats[kind]["allowed"])
            for reason, count in stats[kind]["denied"].items():
                family.add_metric([kind, "denied", reason], count)
        yield family
