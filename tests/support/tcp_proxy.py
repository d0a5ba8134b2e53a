"""A loopback TCP forwarder the tests switch on and off, to make a server unreachable or hung."""

import asyncio
import contextlib


class TcpProxy:
    """Listens on 127.0.0.1:<port>. While `up`, forwards to the target; while `hung`, accepts and
    reads but never answers (a server that stopped responding), on the connections it forwarded
    before as on new ones; otherwise hangs up. `cut()` also drops the connections already
    forwarded; `received` counts the reads a hung server swallowed."""

    def __init__(self, target: str | None = None, *, hung: bool = False) -> None:
        self._target: tuple[str, int] | None = None
        if target is not None:
            host, port = target.rsplit(":", 1)
            self._target = (host, int(port))
        self.up = False
        self.hung = hung
        self.received = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def __aenter__(self) -> "TcpProxy":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self.cut()
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def cut(self) -> None:
        """Stop forwarding, and close every connection open now (a server that went away)."""
        self.up = False
        self.hung = False
        for writer in list(self._open):
            writer.close()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.hung:
            self._open.add(writer)
            while await reader.read(65536):  # ends when the client gives up and closes
                self.received += 1
            writer.close()
            return
        if not self.up or self._target is None:
            writer.close()
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._open.update((writer, upstream_writer))
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
            return_exceptions=True,
        )
        self._open.difference_update((writer, upstream_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward until either side closes; while `hung`, swallow what arrives."""
        try:
            while data := await reader.read(65536):
                if self.hung:
                    self.received += 1
                    continue
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
