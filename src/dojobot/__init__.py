"""DojoBot: a Telegram dojo for mental arithmetic."""
