"""The Django app of ``corsgate.django``: it registers the settings checks."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.checks import Tags, register

from .checks import check_settings


class CorsgateConfig(AppConfig):
    """``INSTALLED_APPS = [..., "corsgate.django"]`` (instead of ``"corsheaders"``)."""

    name = "corsgate.django"
    label = "corsgate"
    verbose_name = "corsgate (CORS)"

    def ready(self) -> None:
        register(Tags.security)(check_settings)
