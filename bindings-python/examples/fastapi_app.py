"""FastAPI with corsgate's drop-in CORSMiddleware (Starlette's parameters and answers).

Run: uvicorn fastapi_app:app --port 8000
"""

from __future__ import annotations

from fastapi import FastAPI

from corsgate.asgi import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://app.example.com"],
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type", "Authorization"],
    expose_headers=["X-Request-Id"],
)


@app.get("/items")
def items() -> list[str]:
    return ["a", "b"]
