"""Static files: every file in the theme's and the site's static/ folders, as OutputFiles."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from .model import OutputFile


def collect_static(static_dirs: list[Path]) -> list[OutputFile]:
    """Later folders win over earlier ones for a file of the same name."""
    files: dict[str, OutputFile] = {}
    for folder in static_dirs:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if not path.is_file() or any(part.startswith(".") for part in rel.split("/")):
                continue
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            files[rel] = OutputFile(f"static/{rel}", path.read_bytes(), media_type)
    return [files[rel] for rel in sorted(files)]
