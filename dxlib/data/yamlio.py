"""The one YAML reader of dxlib: a strict safe loader (duplicate keys and Vietnamese-style numbers
such as 3.000 are errors) and :func:`read_yaml`, which also returns the line of every key path so
that a problem can name its line; and :func:`read_json` for JSON.

Both read with limits, so that a hostile or broken file gives one problem instead of a hang, a
memory blow-up or a RecursionError: at most :data:`MAX_BYTES` bytes, lists and mappings nested
at most :data:`MAX_DEPTH` deep, and (YAML) at most :data:`MAX_NODES` values once every alias is
expanded (aliases stay allowed: the shipped registries use them; a "billion laughs" alias bomb
of 2 KB is refused while it is composed, before anything is expanded)."""

from __future__ import annotations

import json
import re
from collections.abc import Hashable
from itertools import accumulate
from pathlib import Path
from typing import Any

import yaml

from dxlib.data.tables import VI_THOUSANDS, read_text
from dxlib.errors import Problem, display_path

#: the largest YAML or JSON file read (bytes, 1 MB); the largest shipped registry is about 40 KB
MAX_BYTES: int = 2**20
#: the deepest nesting of lists and mappings read (a registry is 4 levels deep)
MAX_DEPTH: int = 50
#: the most values (scalars, lists and mappings) a YAML document may hold, aliases expanded
MAX_NODES: int = 200_000


class _LimitError(yaml.MarkedYAMLError):
    """A document beyond one of the limits: ``found`` and ``expected`` make the problem."""

    def __init__(self, found: str, expected: str, mark: Any):
        super().__init__(problem=found, problem_mark=mark)
        self.found, self.expected = found, expected


class StrictLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys and Vietnamese-style numbers such as 3.000
    (every YAML file of the project is read with it: registries, parameter files, manifests).

    Composing stops with a :class:`_LimitError` at a nesting deeper than :data:`MAX_DEPTH` and
    when the values counted with their aliases expanded exceed :data:`MAX_NODES`."""

    def __init__(self, stream: Any):
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> values in it, aliases expanded
        self._total = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:  # its anchor is still being composed
                raise _LimitError(f"the alias *{event.anchor} inside the value it names "
                                  "(a value that contains itself)",
                                  "an alias used after the value of its anchor",
                                  event.start_mark)
            self._count(self._sizes[id(node)], event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _LimitError(f"lists or mappings nested more than {MAX_DEPTH} deep",
                              f"at most {MAX_DEPTH} levels of nesting",
                              self.peek_event().start_mark)
        start = self._total
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._count(1, node.start_mark)
        self._sizes[id(node)] = self._total - start
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Python's errors of the safe constructors (a date 2024-13-45, ``!!int x``, a list as a
        mapping key) as YAML errors that name the line."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            what = f"{node.value!r} as {node.tag.rsplit(':', 1)[-1]}" \
                if isinstance(node, yaml.ScalarNode) else f"a {node.id} where a value is expected"
            detail = "" if isinstance(exc, AttributeError) else f": {exc}"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {what}{detail}", node.start_mark) from None

    def _count(self, n: int, mark: Any) -> None:
        self._total += n
        if self._total > MAX_NODES:
            raise _LimitError(f"more than {MAX_NODES} values (aliases such as *name counted "
                              "each time they are used)",
                              f"a document of at most {MAX_NODES} values", mark)


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False):
    keys: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, f"a {key_node.id} as a key (keys are text)", key_node.start_mark)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice in one mapping", key_node.start_mark)
        keys[key] = key_node
    return loader.construct_mapping(node, deep=deep)


def _refuse_base_60(node: yaml.ScalarNode) -> None:
    """YAML 1.1 reads 1:20 as the base-60 number 80 (a time or a ratio, mistyped)."""
    if ":" in node.value:
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value} would be read as a base-60 number; quote it if it is text, "
            "or write the number itself", node.start_mark)


def _construct_int(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    _refuse_base_60(node)
    return loader.construct_yaml_int(node)


def _construct_float(loader: StrictLoader, node: yaml.ScalarNode) -> float:
    _refuse_base_60(node)
    if VI_THOUSANDS.match(node.value):
        raise yaml.constructor.ConstructorError(
            None, None,
            f"{node.value} looks like Vietnamese thousands notation (the dot groups thousands); "
            f"write {node.value.replace('.', '')}", node.start_mark)
    return loader.construct_yaml_float(node)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, dict[tuple, int]]:
    """Safe-load a YAML (or JSON) file within the limits of this module; also return the line
    number (1-based) of every key path. On a problem: ``(None, {})`` after appending it."""
    text = read_text(path, problems, max_bytes=MAX_BYTES)
    if text is None:
        return None, {}
    name = display_path(path)
    try:
        loader = StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        problems.append(Problem(name, f"line {line}", "", f"the character U+{exc.character:04X}, "
                                "which YAML does not allow", "printable text"))
        return None, {}
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _LimitError as exc:
        mark = exc.problem_mark
        problems.append(Problem(name, f"line {mark.line + 1}, column {mark.column + 1}", "",
                                exc.found, exc.expected))
        return None, {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(Problem(name, where, "", f"invalid YAML ({exc.problem or exc.context})",
                                "a well-formed YAML document"))
        return None, {}
    except yaml.YAMLError as exc:
        problems.append(Problem(name, "", "", f"invalid YAML ({exc})", "a well-formed YAML document"))
        return None, {}
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    seen: set[int] = set()

    def walk(n: yaml.Node | None, here: tuple) -> None:
        if n is None:
            return
        if id(n) not in seen or here not in lines:  # an alias keeps the line of its key
            lines[here] = n.start_mark.line + 1
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = (*here, k.value)
                lines[key] = k.start_mark.line + 1
                walk(v, key)
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                walk(v, (*here, i))

    walk(node, ())
    return data, lines


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKETS = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in JSON text (strings skipped), without recursion."""
    brackets = _JSON_BRACKETS.sub("", _JSON_STRING.sub("", text))
    steps = (1 if c in "[{" else -1 for c in brackets)
    return max(accumulate(steps, initial=0))


def read_json(path: Path, problems: list[Problem]) -> Any:
    """The data of a JSON file, or None after appending one problem when it is not a readable
    UTF-8 file of at most :data:`MAX_BYTES`, is nested deeper than :data:`MAX_DEPTH` or is not
    valid JSON (NaN and Infinity, which JSON does not have, are refused too)."""
    text = read_text(path, problems, max_bytes=MAX_BYTES)
    if text is None:
        return None
    name = display_path(path)
    depth = json_depth(text)
    if depth > MAX_DEPTH:
        problems.append(Problem(name, "", "", f"lists or objects nested {depth} deep",
                                f"at most {MAX_DEPTH} levels of nesting"))
        return None

    def no_constant(word: str) -> Any:
        raise ValueError(f"{word} is not a JSON number")

    try:
        return json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        problems.append(Problem(name, f"line {exc.lineno}, column {exc.colno}", "",
                                f"invalid JSON ({exc.msg})", "a well-formed JSON document"))
    except (ValueError, RecursionError) as exc:
        problems.append(Problem(name, "", "", f"invalid JSON ({exc})", "a well-formed JSON document"))
    return None
