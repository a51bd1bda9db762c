"""Preview latency: time from saving one story to its page's reload event reaching a
Server-Sent Events client, with `sitegen serve` running as a user runs it.

    python benchmarks/serve_latency.py --stories 2000 --runs 5

Generates an N-story corpus (benchmarks/corpus.py) unless --site names an existing one,
starts `sitegen serve --port 0` on it, then K times: fetch a story page, open its event
stream as the injected script does, append a sentence to the story's body, and time from
the moment the write returns to the `reload` event. Prints each run, the median, and the
server's own report of each rebuild."""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.corpus import generate_corpus  # noqa: E402


class Served:
    def __init__(self, root: Path, startup: float) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", "--source", str(root), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        deadline = time.monotonic() + startup
        self.url = ""
        while not self.url:
            line = self.proc.stdout.readline()
            if not line or time.monotonic() > deadline:
                raise SystemExit("sitegen serve did not start:\n" + "\n".join(self.lines))
            self.lines.append(line.rstrip())
            if line.startswith("Serving at "):
                self.url = line.split()[2]
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port

    def get(self, path: str) -> bytes:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request("GET", path)
            return conn.getresponse().read()
        finally:
            conn.close()

    def stop(self) -> list[str]:
        self.proc.send_signal(2)  # SIGINT, as Ctrl-C
        rest, _ = self.proc.communicate(timeout=60)
        return self.lines + rest.splitlines()


def next_event(response) -> str:
    name = ""
    while True:
        line = response.fp.readline().decode()
        if not line:
            raise SystemExit("the server closed the event stream")
        if line.startswith("event: "):
            name = line[len("event: "):].strip()
        elif line == "\n" and name:
            return name


def one_run(served: Served, story: Path, page: str, run: int) -> float:
    body = served.get(page)
    etag = re.search(rb'data-etag="([^"]*)"', body).group(1).decode()
    conn = http.client.HTTPConnection(served.host, served.port, timeout=120)
    conn.request("GET", f"/__sitegen/events?path={quote(page)}&etag={quote(etag)}")
    response = conn.getresponse()
    try:
        if next_event(response) != "problems":
            raise SystemExit("expected the stream to start with the current problems")
        text = story.read_text(encoding="utf-8")
        text = text.rstrip("\n") + f"\n\nAn added sentence for benchmark run {run}.\n"
        with open(story, "w", encoding="utf-8") as handle:
            handle.write(text)
        saved = time.perf_counter()
        while (event := next_event(response)) != "reload":
            if event == "problems":
                continue
        return time.perf_counter() - saved
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--site", type=Path, help="an existing generated site to reuse (it is edited)")
    parser.add_argument("--startup", type=float, default=1800, help="seconds allowed for the first build")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="sitegen-serve-bench-") as scratch:
        root = args.site or Path(scratch) / "site"
        if not (root / "content" / "stories").is_dir():
            started = time.perf_counter()
            generate_corpus(root, args.stories, args.seed)
            print(f"generated {args.stories} stories in {time.perf_counter() - started:.1f} s into {root}")
        stories = sorted((root / "content" / "stories").rglob("*.md"))
        started = time.perf_counter()
        served = Served(root, args.startup)
        print(f"first build and start: {time.perf_counter() - started:.1f} s ({len(stories)} stories)")
        try:
            story = stories[len(stories) // 2]
            page = f"/stories/{story.stem}/"
            latencies = []
            for run in range(1, args.runs + 1):
                latencies.append(one_run(served, story, page, run))
                print(f"run {run}: save -> reload event {latencies[-1] * 1000:.0f} ms")
                time.sleep(0.3)  # let the watcher settle between saves
        finally:
            lines = served.stop()
        builds = [line for line in lines if line.startswith("Built ")]
        print("server reports:", *builds[-args.runs:], sep="\n  ")
    median = statistics.median(latencies)
    print(f"stories={len(stories)} runs={args.runs} median={median * 1000:.0f} ms "
          f"min={min(latencies) * 1000:.0f} ms max={max(latencies) * 1000:.0f} ms")
    if args.json:
        args.json.write_text(json.dumps({"stories": len(stories), "runs": args.runs, "median_s": median,
                                         "latencies_s": latencies}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
