"""Background work runs on the leader only: its jobs come and go with the leadership.

Every replica runs the election job; the one holding the leader lock (storage.leadership)
schedules the background jobs, and drops them at once should it lose the database session
(and with it the lock). A replica that finds the lock free takes it within one round, so the
work moves to a survivor within ELECTION_INTERVAL_S of the leader's death (plus the time
the server takes to notice it: at once for a killed process, whose socket closes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from telegram.ext import Job, JobQueue

from dojobot.storage.leadership import Election
from dojobot.transport.context import DojoContext

log = logging.getLogger(__name__)

ELECTION_JOB = "leader-election"
ELECTION_INTERVAL_S = 5.0

Scheduler = Callable[[JobQueue[Any]], None]


class BackgroundWork:
    """The leader's jobs: scheduled on taking the lead, removed on losing it."""

    def __init__(
        self, election: Election, schedulers: Sequence[Scheduler],
        *, interval: float = ELECTION_INTERVAL_S,
    ) -> None:
        self.election = election
        self.schedulers = schedulers
        self.interval = interval
        self.jobs: list[Job[Any]] = []

    async def start(self, job_queue: JobQueue[Any]) -> None:
        """A sole process schedules at once; replicas hold an election now and then every
        few seconds."""
        if self.election.url is None:
            self._schedule(job_queue)
            return
        # The first round here, not as the job's first run: the bot starts its job queue
        # after post_init, and a repeating job whose first time has passed by then first
        # runs one interval later (APScheduler skips it), so a new leader idled 5 s.
        await self._hold_round(job_queue)
        job_queue.run_repeating(
            self._election_round, interval=self.interval, first=self.interval,
            name=ELECTION_JOB,
        )

    async def _election_round(self, context: DojoContext) -> None:
        assert context.application.job_queue is not None
        await self._hold_round(context.application.job_queue)

    async def _hold_round(self, job_queue: JobQueue[Any]) -> None:
        leading = await self.election.elect()
        if leading and not self.jobs:
            log.info("this replica leads: it runs the background jobs")
            self._schedule(job_queue)
        elif not leading and self.jobs:
            log.warning("this replica lost the lead (database session lost): jobs stopped")
            for job in self.jobs:
                job.schedule_removal()
            self.jobs = []

    def _schedule(self, job_queue: JobQueue[Any]) -> None:
        before = set(job_queue.jobs())
        for schedule in self.schedulers:
            schedule(job_queue)
        self.jobs = [job for job in job_queue.jobs() if job not in before]
