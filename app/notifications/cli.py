"""`flask notify`: deliver the outbox and run the daily jobs (cron: every minute)."""
import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.command("notify")
    @click.option("--no-daily", is_flag=True, help="Only deliver the outbox; skip reminders and digests.")
    def notify_command(no_daily):
        """Deliver due messages (e-mail, chat), then today's reminders and digests (once a day)."""
        from .delivery import deliver_due
        from .schedule import run_daily_jobs

        jobs = [] if no_daily else run_daily_jobs()
        sent, failed = deliver_due()  # after the jobs, so today's digests leave in this run
        click.echo(f"notify: {len(jobs)} daily job(s) run, {sent} message(s) sent, {failed} failed")
