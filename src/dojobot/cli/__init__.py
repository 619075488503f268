"""The `dojobot` command line: run the bot, the sandbox, and the maintainer commands
(migrate, import-legacy, backups, stats), with their progress bar."""
