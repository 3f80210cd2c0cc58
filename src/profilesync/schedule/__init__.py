"""Unattended runs: ``profilesync schedule`` and what ``profilesync status`` reads of them.

- ``job``: one scheduled run (``ScheduledJob``): pull and diff in a worker, reports, the CV push,
  the hook, the ``runs`` table;
- ``worker``: the worker process that runs the pipeline and answers with a ``RunResult`` over a
  pipe, killed at ``schedule.deadline_s``;
- ``cron``: cron expressions, ``schedule.cron``/``schedule.timezone``, the APScheduler loop;
- ``lock``: one run at a time per profile; ``reports``: the report archive and ``latest.*``;
- ``hook``: the ``on_change`` command; ``snippets``: cron/systemd/GitHub Actions snippets;
- ``status``: what ``profilesync status`` shows.

Nothing here prints: progress goes to the callback the command passes in.
"""
