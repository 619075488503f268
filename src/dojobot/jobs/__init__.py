"""Work the bot starts on its own rather than in reply to an update. Every scheduled job
lives here, one module per job family, each with a `schedule_jobs(job_queue)` that app.py
hands to the elected replica: nudges (the daily reminders), idle_sets (closing idle sets),
class_boards (the weekly final board and class retention), leadership (the election)."""
