"""What feature packages contribute to the shell: navigation, home tasks, demo data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(order=True)
class NavItem:
    """A link in the main navigation, shown to those holding ``permission``."""

    order: int
    label: str = field(compare=False)
    endpoint: str = field(compare=False)
    permission: str = field(compare=False)


@dataclass
class HomeTask:
    """Something a person has to do, shown on their home page."""

    title: str
    url: str | None = None
    detail: str = ""
    urgency: str = "info"  # "info", "warning" or "error" (overdue)


@dataclass
class HomeSection:
    """A block of the home page, produced per user by a feature package."""

    heading: str
    tasks: list[HomeTask]
    empty_text: str = "Er is niets dat op u wacht."
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home: list[Callable[[Any], HomeSection | None]] = field(default_factory=list)
    seeders: list[tuple[int, str, Callable[[Callable[[str], None]], None]]] = field(
        default_factory=list
    )


def registry(app: Flask | None = None) -> Registry:
    """The registry of ``app`` (default: the current app)."""
    app = app or current_app
    return app.extensions.setdefault("monitor_registry", Registry())


def add_nav(app: Flask, label: str, endpoint: str, permission: str, order: int) -> None:
    """Add a main-navigation link for holders of ``permission``."""
    registry(app).nav.append(NavItem(order, label, endpoint, permission))
    registry(app).nav.sort()


def add_home_section(app: Flask, producer: Callable[[Any], HomeSection | None]) -> None:
    """Register ``producer(user) -> HomeSection | None`` for the home page."""
    registry(app).home.append(producer)


def add_demo_seeder(
    app: Flask, order: int, name: str, seeder: Callable[[Callable[[str], None]], None]
) -> None:
    """Register ``seeder(echo)`` for ``seed-demo``; lower ``order`` runs first."""
    registry(app).seeders.append((order, name, seeder))
    registry(app).seeders.sort(key=lambda s: s[0])
