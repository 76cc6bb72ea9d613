"""A one-module Django project: the middleware under test chosen by CORSGATE_MODE.

``theirs``: django-cors-headers; ``ours``: corsgate.django with the same settings;
``strict``: corsgate.django with ``CORSGATE_POLICY`` (the policy file in that variable).
Served by waitress (``django_app:wsgi``) and uvicorn (``django_app:asgi``) in
test_servers.py, and by the browser matrix (tests/browser).
"""

from __future__ import annotations

import asyncio
import os

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path

MODE = os.environ.get("CORSGATE_MODE", "ours")
MIDDLEWARE = {
    "theirs": "corsheaders.middleware.CorsMiddleware",
    "ours": "corsgate.django.CorsMiddleware",
    "strict": "corsgate.django.CorsMiddleware",
}[MODE]
CORS_SETTINGS = (
    {"CORSGATE_POLICY": os.environ["CORSGATE_POLICY"]}
    if MODE == "strict"
    else {
        "CORS_ALLOWED_ORIGINS": ["https://app.example.com"],
        "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://pr-\d+\.preview\.example\.com$"],
        "CORS_ALLOW_CREDENTIALS": True,
        "CORS_EXPOSE_HEADERS": ["x-request-id"],
        "CORS_PREFLIGHT_MAX_AGE": 300,
        "CORS_URLS_REGEX": r"^/(items|async|boom|missing)",
    }
)

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    SECRET_KEY="test-only",
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["corsheaders" if MODE == "theirs" else "corsgate.django"],
    MIDDLEWARE=[MIDDLEWARE, "django.middleware.common.CommonMiddleware"],
    **CORS_SETTINGS,
)
django.setup()


def items(request: HttpRequest) -> HttpResponse:
    if request.method == "PUT":
        return JsonResponse({"put": "done"})
    response = JsonResponse({"ok": True})
    response["X-Request-Id"] = "7"
    response["Vary"] = "Accept-Encoding"
    return response


async def async_items(request: HttpRequest) -> HttpResponse:
    await asyncio.sleep(0)
    return JsonResponse({"async": True})


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("items", items),
    path("async", async_items),
    path("boom", boom),
    re_path(r"^other$", items),
]


def wsgi() -> object:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def asgi() -> object:
    from django.core.asgi import get_asgi_application

    return get_asgi_application()
