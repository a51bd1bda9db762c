"""Run `sitegen serve` as a user would, in a subprocess on 127.0.0.1, for server and browser tests."""

from __future__ import annotations

import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """`with ServeProcess(root) as served:` starts the server and waits for its URL;
    leaving the block stops it with Ctrl-C (SIGINT) and collects its exit status."""

    def __init__(self, root: Path, *args: str, port: int = 0, startup: float = 60) -> None:
        self.command = [sys.executable, "-m", "sitegen", "serve", "--source", str(root), "--port", str(port), *args]
        self.startup = startup
        self.lines: list[str] = []
        self._lines: queue.Queue = queue.Queue()
        self.url = ""
        self.returncode: int | None = None

    def __enter__(self) -> "ServeProcess":
        self.proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + self.startup
        while not self.url:
            line = self.wait_for_line(lambda text: True, deadline - time.monotonic())
            if line.startswith("Serving at "):
                self.url = line.split()[2]
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for_line(self, wanted, timeout: float = 30) -> str:
        """The next output line for which wanted(line) is true."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError(f"no such line from sitegen serve; output so far:\n" + "\n".join(self.lines)) from None
            if line is None:
                raise EOFError("sitegen serve exited; output:\n" + "\n".join(self.lines))
            if wanted(line):
                return line

    def stop(self) -> int:
        if self.returncode is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGINT)
            try:
                self.returncode = self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.returncode = self.proc.wait(timeout=10)
        return self.returncode

    @property
    def output(self) -> str:
        return "\n".join(self.lines)
