"""The one YAML reader of dxlib: a strict safe loader (duplicate keys and Vietnamese-style numbers
such as 3.000 are errors) and :func:`read_yaml`, which also returns the line of every key path so
that a problem can name its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dxlib.data.tables import VI_THOUSANDS, read_text
from dxlib.errors import Problem, display_path


class StrictLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys and Vietnamese-style numbers such as 3.000
    (every YAML file of the project is read with it: registries, parameter files, manifests)."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False):
    keys: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' appears twice in one mapping", key_node.start_mark)
        keys[key] = key_node
    return loader.construct_mapping(node, deep=deep)


def _construct_float(loader: StrictLoader, node: yaml.ScalarNode) -> float:
    if VI_THOUSANDS.match(node.value):
        raise yaml.constructor.ConstructorError(
            None, None,
            f"{node.value} looks like Vietnamese thousands notation (the dot groups thousands); "
            f"write {node.value.replace('.', '')}", node.start_mark)
    return loader.construct_yaml_float(node)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def read_yaml(path: Path, problems: list[Problem]) -> tuple[Any, dict[tuple, int]]:
    """Safe-load a YAML file; also return the line number (1-based) of every key path."""
    text = read_text(path, problems)
    if text is None:
        return None, {}
    name = display_path(path)
    try:
        node = yaml.compose(text, Loader=StrictLoader)
        data = yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(Problem(name, where, "", f"invalid YAML ({exc.problem or exc.context})",
                                "a well-formed YAML document"))
        return None, {}
    except yaml.YAMLError as exc:
        problems.append(Problem(name, "", "", f"invalid YAML ({exc})", "a well-formed YAML document"))
        return None, {}
    lines: dict[tuple, int] = {}

    def walk(n: yaml.Node | None, here: tuple) -> None:
        if n is None:
            return
        lines[here] = n.start_mark.line + 1
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
