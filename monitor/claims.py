"""Claims on work by a process, and recognising claims of a process that died.

A job run or an outgoing message is claimed by writing a claim token (``host:pid:random``)
in the same conditional UPDATE that checks nobody else holds it. A claim held too long is
stale and may be taken over; so is a claim of a process on this machine that no longer
runs (a worker killed with ``SIGKILL``): its work is picked up as soon as another process
looks, not only after the stale period.
"""

from __future__ import annotations

import os
import secrets
import socket


def _host() -> str:
    return socket.gethostname()[:60]


def token() -> str:
    """A fresh claim token of this process (unique per claim)."""
    return f"{_host()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_is_dead(claim: str | None) -> bool:
    """Whether ``claim`` was made by a process on this machine that no longer runs.

    Claims of other machines are never called dead (their processes cannot be seen from
    here); they are taken over when stale.
    """
    if not claim:
        return False
    parts = claim.split(":")
    if len(parts) < 3:
        return False
    host, pid_text = ":".join(parts[:-2]), parts[-2]
    if host != _host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
