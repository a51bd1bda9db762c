"""Every exception sitegen raises, and the Problem records a build collects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in a file the author will open: path relative to the site root, 1-based line."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Problem:
    """One finding about the input: an error stops the build, a warning does not."""

    location: SourceLocation
    message: str
    severity: str = "error"  # "error" | "warning"
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self, with_severity: bool = False) -> str:
        kind = f" {self.severity}:" if with_severity else ""
        text = f"{self.location}:{kind} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple:
        return (self.location.path, self.location.line, self.location.column, self.message)


class SitegenError(Exception):
    """Root of every error sitegen raises on purpose."""


class UsageError(SitegenError):
    """Raised when the command line asks for something impossible (exit status 2)."""


class ConfigError(SitegenError):
    """Raised when [tool.sitegen] in pyproject.toml is unreadable or has a bad value."""


class SourceError(SitegenError):
    """Raised for a problem tied to a place in a source file."""

    def __init__(self, location: SourceLocation, message: str, hint: str = "") -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message
        self.hint = hint

    def to_problem(self) -> Problem:
        return Problem(self.location, self.message, "error", self.hint)


class DamagedCache(SourceError):
    """A story body the build cache holds failed its check when first read. A build with
    the disk cache then parses every file again; anywhere else it is a source error."""


class FrontMatterError(SourceError):
    """Raised when a story's front matter cannot be split or parsed as YAML."""


class LinkError(SourceError):
    """Raised when a link or slug reference points at nothing."""


class LayoutError(SourceError):
    """Raised when a Jinja layout has a syntax error or uses an undefined value."""


class StoryExistsError(SitegenError):
    """Raised when `sitegen new` would overwrite a story file or reuse a story's slug."""


class OutputCollisionError(SitegenError):
    """Raised when two pages would be written to the same output file."""


class BuildFailed(SitegenError):
    """Raised with every Problem found when the input has at least one error."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        errors = sum(1 for p in self.problems if p.is_error)
        super().__init__(f"{errors} error(s) in the site's sources")
