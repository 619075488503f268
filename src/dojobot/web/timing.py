"""Which response time an answer from the Mini App keeps: the device's or the server's.

The trust model. The page measures `performance.now()` from the frame that first paints
the problem (a requestAnimationFrame callback) to the submit, and sends it with the answer.
The server also knows its own interval: from sending the response that carried the problem
to receiving the answer, which contains the device's interval plus both network legs and
rendering. So an honest device figure lies between FLOOR_MS and the server's interval.

- A figure inside that range is kept (timed_by 'device'): the network no longer counts
  against the learner.
- Anything else (missing, not a number, below the floor, above the server's interval) is
  replaced by the server's interval and flagged (timed_by 'server', device_ms as sent).

What a learner who edits the page can fake: any time between FLOOR_MS and the real
interval the server saw, i.e. they can hide their thinking time but never claim to have
been slower than they were, nor faster than FLOOR_MS. They cannot answer for another
learner (initData is signed by Telegram), change an answer already counted (keyed by the
problem) or see a problem early (the server sends one problem at a time). The chat's figure
has the same kind of bound (the server's own clock) and is always inflated by the network;
the app's can only be deflated, by someone who edits it, and never below the floor.
"""

from __future__ import annotations

# No one reads a problem, works it out and taps the answer in less: a smaller figure is a
# scripted or edited page.
FLOOR_MS = 150
DEVICE = "device"
SERVER = "server"


def _reported(device_ms: object) -> int | None:
    """The device's figure as whole ms; None when it is not a sane number."""
    if isinstance(device_ms, bool) or not isinstance(device_ms, int | float):
        return None
    # NaN (JSON has none, but Python's parser reads it) and absurd sizes are no figure.
    if device_ms != device_ms or abs(device_ms) >= 10**12:
        return None
    return round(device_ms)


def kept_time(device_ms: object, server_ms: int) -> tuple[int, str, int | None]:
    """(response ms to store, timed_by, the device's figure as an int or None)."""
    reported = _reported(device_ms)
    if reported is not None and FLOOR_MS <= reported <= server_ms:
        return reported, DEVICE, reported
    return max(0, server_ms), SERVER, reported
