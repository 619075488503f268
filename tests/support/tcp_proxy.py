"""A TCP relay between the bot and PostgreSQL that can cut the connections through it the way
a failover does when the old server vanishes: the client is not told, and finds out only
when it next writes (its connection is reset then). A closed socket would be noticed by the
driver at once, while the connection idles in the pool; this one is not, so the bot meets
the dead connection when an answer begins its transaction. It can also take the server
away for a while (an outage: every connection cut, new ones reset) and bring it back."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from urllib.parse import urlsplit


class SeveringProxy:
    """Relays 127.0.0.1:port to the database in `url`; sever() cuts what is open now."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self._url = parts
        self._target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self._server: asyncio.Server | None = None
        self._open: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._severed: set[asyncio.StreamWriter] = set()  # clients cut without being told
        self._tasks: set[asyncio.Task[None]] = set()
        self._refusing = False

    async def start(self) -> str:
        """Listen; the database URL that goes through the relay."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        netloc = self._url.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{port}"
        return self._url._replace(
            netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host
        ).geturl()

    def sever(self) -> int:
        """Close every server side now; each client learns of it only on its next write.
        Returns how many connections were cut."""
        cut = len(self._open)
        for client, server in self._open:
            server.close()
            self._severed.add(client)
        self._open.clear()
        return cut

    def down(self) -> int:
        """An outage begins: what is open is cut (sever), and each new connection is reset
        as it opens, until up(). Returns how many were cut."""
        self._refusing = True
        return self.sever()

    def up(self) -> None:
        """The outage ends: new connections reach the server again."""
        self._refusing = False

    async def stop(self) -> None:
        """Stop listening and close everything."""
        if self._server is not None:
            self._server.close()
        for client, server in self._open:
            client.close()
            server.close()
        for client in self._severed:
            client.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _relay(self, client_in: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        if self._refusing:
            client.transport.abort()  # a reset, as from a host whose server is gone
            return
        server_in, server = await asyncio.open_connection(*self._target)
        pair = (client, server)
        self._open.add(pair)
        upward = asyncio.create_task(self._pipe(client_in, server, client))
        downward = asyncio.create_task(self._pipe(server_in, client, client))
        self._tasks.update((upward, downward))
        try:
            await asyncio.gather(upward, downward, return_exceptions=True)
        finally:
            self._tasks.difference_update((upward, downward))
            self._open.discard(pair)

    async def _pipe(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
        client: asyncio.StreamWriter,
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                if client in self._severed:
                    if sink is not client:  # the client wrote to a vanished server: reset
                        client.transport.abort()
                    return
                sink.write(data)
                await sink.drain()
        if client not in self._severed:
            sink.close()


@contextlib.asynccontextmanager
async def severing(url: str) -> AsyncIterator[tuple[SeveringProxy, str]]:
    """A relay to the database in `url`, and the URL that goes through it; stopped after."""
    proxy = SeveringProxy(url)
    through = await proxy.start()
    try:
        yield proxy, through
    finally:
        await proxy.stop()
