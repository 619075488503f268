"""Work the bot starts on its own rather than in reply to an update: the daily nudge
broadcast. (A feature's small housekeeping job, such as closing idle sets or the weekly
class board, stays with its feature's handlers.)"""
