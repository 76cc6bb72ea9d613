"""Ask a policy what it answers, and why, without a server."""

from __future__ import annotations

from corsgate import ConfigError, Policy


def main() -> None:
    try:
        Policy(origins=["https://app.example.com/"], credentials=True)
    except ConfigError as err:
        for problem in err.errors:
            print(f"{problem.path}: {problem.message} (hint: {problem.hint})")

    policy = Policy(origins=["https://app.example.com"], methods=["PUT"])
    decision = policy.evaluate(
        "OPTIONS",
        {"Origin": "http://app.example.com", "Access-Control-Request-Method": "PUT"},
    )
    print(decision.kind, decision.allowed, decision.status)
    if decision.reason is not None:
        print(decision.reason.code, "-", decision.reason.message)
        print(
            decision.reason.browser_message(
                "https://api.example.com/items", "http://app.example.com"
            )
        )


if __name__ == "__main__":
    main()
