"""What the job worker remembers of each periodic job (shared by every worker and cron)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class JobRun(db.Model):
    """The last run of one periodic job, and who is running it now.

    ``last_period`` is the start (local wall clock) of the period the job last completed;
    the job is due when the current period starts later. ``claimed_by`` is set in the same
    conditional UPDATE that checks nobody else holds the job, so of several workers (or a
    worker and cron) exactly one runs it; a claim of a process that died is taken over.
    """

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    last_period: Mapped[datetime | None]
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_result: Mapped[str] = mapped_column(sa.String(500), default="")
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    failures: Mapped[int] = mapped_column(default=0)
    retry_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str] = mapped_column(sa.String(100), default="")
