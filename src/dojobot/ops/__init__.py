"""Maintainer tools: legacy import, backups, KPIs, metrics and error tracking."""
