"""Pure domain engine: problems, answers, progression, statistics and practice sets.

Nothing here touches Telegram, SQL, the clock or global random state.
"""
