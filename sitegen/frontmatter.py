"""Split the --- fence and read the YAML in it, keeping the file line of every key."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple, Sequence

import yaml

from .errors import FrontMatterError, SourceLocation
from .model import SourceFile

FENCE = "---"
MAX_EXPANDED_VALUES = 100_000  # a long story's front matter has a few hundred


_STR_TAG = "tag:yaml.org,2002:str"


class _FriendlyConstructor:
    """Mixed into both loaders below."""

    def construct_object(self, node, deep=False):
        # A text value is its node's value: what PyYAML's str constructor returns, also for
        # a node met again through an alias. Most values of front matter are text, and
        # PyYAML's bookkeeping around each costs more than the rest of the parse.
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value
        # Explicitly tagged scalars (!!timestamp 2026-02-30, !!int abc, !!bool maybe) and
        # over-long integers make PyYAML's constructors raise plain Python errors; turn
        # them into a YAML error at the value's own line, like every other YAML mistake.
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            shown = node.value if isinstance(node.value, str) else "this value"
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            kind = node.tag.rsplit(":", 1)[-1]
            detail = str(exc).split(";")[0]  # drop Python's own advice, e.g. on int digit limits
            raise yaml.constructor.ConstructorError(None, None, f"{shown!r} is not a valid {kind} ({detail})", node.start_mark) from None


class _Loader(_FriendlyConstructor, yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates stay strings, so that a bad date
    such as 2026-02-30 becomes our own error at its line instead of a crash in PyYAML."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# The same loader over libyaml's C parser, about ten times faster, which matters with
# thousands of stories. It is used only for text the pure-Python reader accepts
# character by character, and any error sends the text through _Loader again, so that
# messages stay PyYAML's own; both give the same nodes, marks and values otherwise.
_FastLoader = None
if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(_FriendlyConstructor, yaml.CSafeLoader):  # type: ignore[no-redef]
        """_Loader on libyaml."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class Positions(NamedTuple):
    """File lines of a YAML value and, for mappings and lists, of its children. A named
    tuple, read only: a story's front matter makes some sixty, and a frozen dataclass
    costs three times as much to make."""

    line: int
    children: Mapping[Any, "Positions"] | Sequence["Positions"] = MappingProxyType({})

    def of(self, key) -> "Positions":
        try:
            return self.children[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return self


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    positions: Positions
    body: str
    body_line: int  # file line where the Markdown body starts


def split_front_matter(source: SourceFile) -> FrontMatter:
    """Raise FrontMatterError for a missing or unclosed fence or for invalid YAML."""
    text = source.text
    lines = text.split("\n")
    if not text.strip():
        raise FrontMatterError(SourceLocation(source.rel_path, 1), "file is empty; a story starts with front matter between --- lines")
    if lines[0].rstrip() != FENCE:
        raise FrontMatterError(SourceLocation(source.rel_path, 1), "no front matter: the file must start with a line '---', then YAML keys, then another '---'")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if end is None:
        raise FrontMatterError(SourceLocation(source.rel_path, 1), "front matter opened with '---' on line 1 is never closed; add a '---' line after the last key")
    yaml_text = "\n".join(lines[1:end])
    data, positions = parse_yaml(yaml_text, source.rel_path, first_line=2)
    return FrontMatter(data=data, positions=positions, body="\n".join(lines[end + 1 :]), body_line=end + 2)


def parse_yaml(yaml_text: str, rel_path: str, first_line: int) -> tuple[dict, Positions]:
    """YAML text that starts at file line first_line -> (mapping, positions)."""
    if _FastLoader is not None and not yaml.reader.Reader.NON_PRINTABLE.search(yaml_text):
        try:
            return _parse_with(_FastLoader, yaml_text, rel_path, first_line)
        except (FrontMatterError, RecursionError):
            pass  # reported in PyYAML's words below (libyaml nests deeper before giving up)
    return _parse_with(_Loader, yaml_text, rel_path, first_line)


def _parse_with(loader_class, yaml_text: str, rel_path: str, first_line: int) -> tuple[dict, Positions]:
    loader = loader_class(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, Positions(first_line)
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(SourceLocation(rel_path, node.start_mark.line + first_line), "front matter must be YAML keys and values (key: value), not a list or a single value")
        # Before anything walks the nodes: aliases can make a few lines mean millions of
        # values ("billion laughs") or a value that contains itself (&a [*a]). An alias
        # needs a '*' and an anchor ('&') to refer to (one without fails above), and
        # without aliases there are fewer values than twice the text's characters. ('*'
        # alone is common: **bold** in an FAQ answer.)
        may_expand = ("*" in yaml_text and "&" in yaml_text) or 2 * len(yaml_text) > MAX_EXPANDED_VALUES
        if may_expand and _expanded_size(node, {}, rel_path, first_line) > MAX_EXPANDED_VALUES:
            raise FrontMatterError(SourceLocation(rel_path, first_line), f"front matter holds more than {MAX_EXPANDED_VALUES:,} values "
                                   "once its YAML aliases (*name) are written out", "write the values out instead of repeating aliases")
        duplicates = _duplicate_keys(node, rel_path, first_line)
        if duplicates:
            raise duplicates[0]
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "end of stream" in str(exc.problem):
            mark = exc.context_mark  # an unclosed quote or bracket: point at where it opened
        line = mark.line + first_line if mark else first_line
        column = mark.column + 1 if mark else 0
        message = f"invalid YAML: {exc.problem or exc.context}"
        hint = ""
        if "quoted scalar" in str(exc.context):
            message, hint = "invalid YAML: a quoted text opened here is never closed", "add the closing quote"
        elif "\t" in yaml_text and "'\\t'" in str(exc):
            hint = "indent YAML with spaces, not tabs"
        elif exc.context and exc.problem:
            message = f"invalid YAML: {exc.problem} ({exc.context})"
        raise FrontMatterError(SourceLocation(rel_path, line, column), message, hint) from None
    except yaml.YAMLError as exc:  # errors without a position
        raise FrontMatterError(SourceLocation(rel_path, first_line), f"invalid YAML: {exc}") from None
    except RecursionError:
        raise FrontMatterError(SourceLocation(rel_path, first_line), "front matter is nested too deeply") from None
    finally:
        loader.dispose()
    return data, _positions(node, first_line)


def _expanded_size(node: yaml.Node, sizes: dict[int, int], rel_path: str, first_line: int) -> int:
    """How many values the document holds with every alias written out, counted without
    writing them out (each node once, by identity)."""
    known = sizes.get(id(node))
    if known == -1:
        raise FrontMatterError(SourceLocation(rel_path, node.start_mark.line + first_line),
                               "a YAML alias (*name) here refers to a value that contains it", "write the value out")
    if known is not None:
        return known
    sizes[id(node)] = -1  # in progress: meeting it again below means a cycle
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        children = []
    size = 1 + sum(_expanded_size(child, sizes, rel_path, first_line) for child in children)
    sizes[id(node)] = size
    return size


def _positions(node: yaml.Node, first_line: int, line: int | None = None) -> Positions:
    """`line`, when given, is the line of the value's key: a key's own line is where the
    key is written, not where its value starts."""
    if line is None:
        line = node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        children: dict = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                children[key_node.value] = _positions(value_node, first_line, key_node.start_mark.line + first_line)
        return Positions(line, children)
    if isinstance(node, yaml.SequenceNode):
        return Positions(line, [_positions(item, first_line) for item in node.value])
    return Positions(line)


def _duplicate_keys(node: yaml.Node, rel_path: str, first_line: int) -> list[FrontMatterError]:
    found: list[FrontMatterError] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in current.value:
                line = key_node.start_mark.line + first_line
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        found.append(FrontMatterError(SourceLocation(rel_path, line), f"key '{key_node.value}' is given twice (first on line {seen[key_node.value]}); keep one"))
                    else:
                        seen[key_node.value] = line
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(found, key=lambda e: e.location.line)

