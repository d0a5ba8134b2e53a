"""Product images on local disk (one file per image id); an object store would fit the port too."""

import asyncio
from pathlib import Path
from uuid import UUID


class LocalImageStore:
    """The ImageStore port on a directory; each write lands whole, by a rename."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def put(self, image_id: UUID, data: bytes) -> None:
        await asyncio.to_thread(self._write, image_id, data)

    async def get(self, image_id: UUID) -> bytes | None:
        path = self._root / image_id.hex
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    def _write(self, image_id: UUID, data: bytes) -> None:
        self._root.mkdir(parents=True, exist_ok=True)
        partial = self._root / f"{image_id.hex}.partial"
        partial.write_bytes(data)
        partial.replace(self._root / image_id.hex)  # readers never see half a file
