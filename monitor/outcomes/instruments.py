"""The two outcome instruments: ZRM (both versions) and the participatieladder.

Names and labels only, read from :mod:`monitor.data` (ZRM © GGD Amsterdam; the full
cell texts of the matrix are not embedded).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..data import read_reference_csv

ZRM = "zrm"
LADDER = "ladder"
INSTRUMENT_LABELS = {ZRM: "Zelfredzaamheid-Matrix (ZRM)", LADDER: "Participatieladder"}
ZRM_VERSIONS = ("2017", "2013")
DEFAULT_ZRM_VERSION = "2017"
ZRM_ATTRIBUTION = (
    "Zelfredzaamheid-Matrix © GGD Amsterdam. Alleen de namen van de domeinen en de "
    "scorelabels zijn overgenomen; gebruik de officiële matrix voor de beschrijvingen."
)
LADDER_ATTRIBUTION = "Participatieladder: Regioplan / VNG."
NOT_APPLICABLE = "nvt"
NOT_DISCUSSED = ""

# Targets of source 003: half of the clients improve (per ZRM domain, or one ladder step).
TARGET_SHARE = 0.5


@dataclass(frozen=True)
class Domain:
    """One domain of a ZRM version."""

    code: str
    name: str
    position: int


@cache
def zrm_domains(version: str = DEFAULT_ZRM_VERSION) -> tuple[Domain, ...]:
    """The domains of ZRM ``version`` in their official order.

    :raise KeyError: for an unknown version.
    """
    if version not in ZRM_VERSIONS:
        raise KeyError(version)
    rows = [r for r in read_reference_csv("zrm.csv") if r["version"] == version]
    return tuple(sorted((Domain(r["code"], r["domain"], int(r["position"])) for r in rows),
                        key=lambda d: d.position))


@cache
def zrm_labels(version: str = DEFAULT_ZRM_VERSION) -> dict[int, str]:
    """Score (1–5) → label for ZRM ``version``."""
    return {int(r["score"]): r[f"label_{version}"] for r in read_reference_csv("zrm_scale.csv")}


@cache
def ladder_steps() -> dict[int, str]:
    """Step (1–6) → official name of the participatieladder."""
    return {int(r["trede"]): r["label"] for r in read_reference_csv("participatieladder.csv")}


def domain_name(code: str) -> str:
    """The name of a ZRM domain code in either version (2017 preferred)."""
    for version in ZRM_VERSIONS:
        for d in zrm_domains(version):
            if d.code == code:
                return d.name
    return code


def all_domain_codes() -> list[str]:
    """Every domain code of both versions: 2017 order first, then 2013-only codes."""
    codes = [d.code for d in zrm_domains("2017")]
    codes += [d.code for d in zrm_domains("2013") if d.code not in codes]
    return codes


def domain_versions(code: str) -> list[str]:
    """The ZRM versions that have domain ``code``."""
    return [v for v in ZRM_VERSIONS if any(d.code == code for d in zrm_domains(v))]
