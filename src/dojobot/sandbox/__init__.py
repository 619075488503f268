"""`dojobot sandbox`: the bot's glue around the Bot API stand-in (package telegram_standin).

Nothing is imported here, so that ``dojobot.transport.lifecycle`` works without the stand-in.
"""
