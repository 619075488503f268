"""Telegram transport: how updates arrive and in what order, the webhook endpoint, an
Application's start and stop, the Bot API client and its send pacing, and the typed context
every handler receives."""
