"""The password policy: length, common passwords, words of the context, reuse.

NIST SP 800-63B §5.1.1.2 and ASVS 2.1.7 ask to refuse passwords that are common or that
consist of words of the context (the service, the user's name). Before comparing, a
password is folded (accents and case), years around now and the digits and punctuation
at its ends are taken off, and leetspeak is read back (``H1lv3rsum!`` is ``hilversum``).
What is left after removing the context words and common passwords must still be a
password of its own (:data:`MIN_OWN_PART` characters): ``Hilversum2026``,
``TellenVertellen!`` and ``Welkom-Welkom-2025`` are refused, a passphrase that merely
contains such a word is not. No composition rules, no expiry (ASVS 2.1.9, 2.1.10).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

from ..errors import DomainError
from ..timeutil import utcnow

FIELD = "new_password"
MIN_OWN_PART = 6

# The site and its organisation; the municipality's name is added from the configuration.
SITE_WORDS = ("tellenenvertellen", "vertellen", "tellen", "gemeente", "monitor", "welzijn")

LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
                      "9": "g", "@": "a", "$": "s", "!": "i", "|": "i", "+": "t", "€": "e"})
_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_NOT_ALNUM = re.compile(r"[\W_]+")

TOO_COMMON = ("Dit wachtwoord is te eenvoudig te raden: het staat in lijsten van veelgebruikte "
              "wachtwoorden, ook met cijfers of tekens erachter. Kies een ander, bijvoorbeeld "
              "een zin van een paar woorden.")
TOO_CONTEXTUAL = ("Het wachtwoord bestaat vooral uit woorden die bij u of bij deze site horen "
                  "(zoals de naam van de gemeente, Tellen & Vertellen, uw naam, organisatie of "
                  "een jaartal). Kies iets dat daar niet op lijkt.")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (``monitor/data/common_passwords.txt``)."""
    text = resources.files("monitor.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def fold(text: str) -> str:
    """Lower case without accents (``Renée`` → ``renee``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def core(password: str, years: tuple[int, ...] = ()) -> str:
    """The password as a guesser would start from: folded, years and decorated ends off, leet read back."""
    text = fold(password)
    for year in years:
        text = text.replace(str(year), " ")
    text = _ENDS.sub("", text).translate(LEET)
    return _NOT_ALNUM.sub("", text)


def context_words(*, email: str = "", name: str = "", organisation: str = "",
                  municipality: str = "") -> set[str]:
    """Words a guesser knows about this user and this site (each at least 3 letters)."""
    local, _, domain = email.partition("@")
    texts = [municipality, local, domain.split(".")[0], name, organisation, *SITE_WORDS]
    words = set()
    for text in texts:
        for word in re.split(r"[\W\d_]+", fold(text)):
            if len(word) >= 3:
                words.add(word)
    return words


def _years() -> tuple[int, ...]:
    this = utcnow().year
    return (this + 1, this, this - 1)


def check(password: str, *, min_length: int, email: str = "", name: str = "",
          organisation: str = "", municipality: str = "") -> None:
    """Raise :class:`DomainError` (for the field ``new_password``) when ``password`` is weak."""
    if len(password) < min_length:
        raise DomainError(f"Het wachtwoord moet minstens {min_length} tekens lang zijn.", FIELD)
    common = common_passwords()
    folded = fold(password)
    if len(set(password)) < 5:
        raise DomainError(TOO_COMMON, FIELD)
    local_part = fold(email.split("@")[0])
    if len(local_part) >= 4 and local_part in folded:
        raise DomainError("Het wachtwoord mag uw e-mailadres niet bevatten.", FIELD)
    stripped = core(password, _years())
    context = context_words(email=email, name=name, organisation=organisation,
                            municipality=municipality)
    own = stripped
    for word in sorted(context, key=len, reverse=True):
        own = own.replace(word, "")
    used_context = own != stripped
    if used_context and len(own) < MIN_OWN_PART:
        raise DomainError(TOO_CONTEXTUAL, FIELD)
    if {folded, _NOT_ALNUM.sub("", folded), stripped} & common:
        raise DomainError(TOO_COMMON, FIELD)
    for word in sorted((w for w in common if len(w) >= 4), key=len, reverse=True):
        if word in own:
            own = own.replace(word, "")
    if len(own) < MIN_OWN_PART:
        raise DomainError(TOO_CONTEXTUAL if used_context else TOO_COMMON, FIELD)
