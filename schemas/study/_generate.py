"""Generate the Study enums and models from the official OpenAPI spec, so they cannot drift from it.

Run `python -m schemas.study._generate [SPEC_DIR]` after a spec update (SPEC_DIR defaults to
../shared/ctgov-sample/spec). tests/schemas/test_study_models.py regenerates in memory and fails
when the checked-in modules differ. Sources: the OAS YAML for every schema, property, type and enum;
the `/studies/metadata` response only for which strings are `markup`, which the OAS does not say.
"""

from __future__ import annotations

import json
import keyword
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPEC_NAME = "ctg-oas-v2_2.0.5.yaml"
METADATA_NAME = "studies-metadata_2024-10.json"
DEFAULT_SPEC_DIR = Path(__file__).resolve().parents[3] / "shared" / "ctgov-sample" / "spec"
OUT_DIR = Path(__file__).resolve().parent

# Top-level Study property -> generated module holding the schemas only that section reaches.
SECTION_MODULES = {
    "protocolSection": "protocol",
    "resultsSection": "results",
    "annotationSection": "annotation",
    "documentSection": "document",
    "derivedSection": "derived",
}
COMMON = "common"  # schemas reached from more than one section (DateStruct)
ROOT_MODULE = "models"  # Study itself, plus the MODELS index
# Named scalar schemas -> the field type that keeps their meaning (schemas/study/fields.py).
SCALAR_REFS = {
    "nct": "NctId",
    "PartialDate": "PartialDate",
    "DateTimeMinutes": "DateTimeMinutes",
    "GeoName": "str",
}
PATTERNS = {
    r"^\d+ (Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)$": "Duration"
}
PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# pydantic.BaseModel attributes a field must not shadow.
RESERVED = {"copy", "dict", "json", "schema", "construct", "validate", "fields", "model_config"}
_ROOT = "Study"


@dataclass(frozen=True)
class SpecSource:
    """What the generator reads: the OAS component schemas and the markup properties."""

    version: str
    schemas: Mapping[str, Any]
    markup: frozenset[tuple[str, str]]  # (schema, property) pairs typed `markup` in the metadata


@dataclass
class _Imports:
    """Names one generated module imports, per source module."""

    names: dict[str, set[str]] = field(default_factory=dict)

    def add(self, module: str, name: str) -> None:
        self.names.setdefault(module, set()).add(name)


def load_spec(spec_dir: Path) -> SpecSource:
    """Read the OAS YAML and the metadata response from `spec_dir`."""
    import yaml  # dev-only dependency: nothing at run time reads YAML

    oas = yaml.safe_load((spec_dir / SPEC_NAME).read_text(encoding="utf-8"))
    metadata = json.loads((spec_dir / METADATA_NAME).read_text(encoding="utf-8"))
    return SpecSource(
        version=str(oas["info"]["version"]),
        schemas=oas["components"]["schemas"],
        markup=frozenset(_markup_properties(metadata, _ROOT)),
    )


def _markup_properties(nodes: list[dict[str, Any]], owner: str) -> Iterator[tuple[str, str]]:
    for node in nodes:
        if node["type"] == "markup":
            yield owner, node["name"]
        if node.get("children"):
            yield from _markup_properties(node["children"], node["type"].removesuffix("[]"))


def ref_name(prop: Mapping[str, Any]) -> str | None:
    """The component a property (or its list items) refers to, or None for an inline type."""
    target = prop.get("$ref") or prop.get("items", {}).get("$ref")
    return target.rsplit("/", 1)[-1] if target else None


def is_object(schema: Mapping[str, Any]) -> bool:
    """True for a component that becomes a model (an object with properties)."""
    return schema.get("type") == "object" and "properties" in schema


def reachable(schemas: Mapping[str, Any], root: str = _ROOT) -> list[str]:
    """Every component reachable from `root` (itself included), depth first in property order."""
    seen: dict[str, None] = {}

    def visit(name: str) -> None:
        if name in seen:
            return
        seen[name] = None
        for prop in schemas[name].get("properties", {}).values():
            target = ref_name(prop)
            if target:
                visit(target)

    visit(root)
    return list(seen)


def schema_paths(schemas: Mapping[str, Any], root: str = _ROOT) -> dict[str, list[str]]:
    """Object component -> the record paths where it appears (`[]` marks list items)."""
    found: dict[str, list[str]] = {}

    def visit(name: str, path: str) -> None:
        found.setdefault(name, []).append(path)
        for key, prop in schemas[name]["properties"].items():
            target = ref_name(prop)
            if target and is_object(schemas[target]):
                child = f"{path}.{key}" if path else key
                visit(target, child + "[]" if prop.get("type") == "array" else child)

    visit(root, "")
    return found


def module_of(schemas: Mapping[str, Any]) -> dict[str, str]:
    """Object component -> the generated module (without `.py`) that defines it."""
    owners: dict[str, set[str]] = {}
    for key, prop in schemas[_ROOT]["properties"].items():
        target = ref_name(prop)
        if target is None:
            continue
        for name in reachable(schemas, target):
            if is_object(schemas[name]):
                owners.setdefault(name, set()).add(SECTION_MODULES[key])
    modules = {name: COMMON if len(mods) > 1 else mods.pop() for name, mods in owners.items()}
    modules[_ROOT] = ROOT_MODULE
    return modules


def _definition_order(schemas: Mapping[str, Any]) -> list[str]:
    """Object components in dependency order (referenced before referencing)."""
    done: dict[str, None] = {}

    def visit(name: str) -> None:
        if name in done:
            return
        for prop in schemas[name]["properties"].values():
            target = ref_name(prop)
            if target and is_object(schemas[target]):
                visit(target)
        done[name] = None

    visit(_ROOT)
    return list(done)


def _enum_users(schemas: Mapping[str, Any], names: list[str]) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for owner in names:
        for key, prop in schemas[owner].get("properties", {}).items():
            target = ref_name(prop)
            if target and "enum" in schemas[target]:
                suffix = "[]" if prop.get("type") == "array" else ""
                users.setdefault(target, []).append(f"{owner}.{key}{suffix}")
    return users


def _scalar_type(
    spec: SpecSource, owner: str, key: str, prop: Mapping[str, Any], imports: _Imports
) -> str:
    """The annotation of one scalar (non-list) property, recording what it imports."""
    target = str(prop["$ref"]).rsplit("/", 1)[-1] if "$ref" in prop else None
    if target is not None:
        schema = spec.schemas[target]
        if is_object(schema):
            return target
        if "enum" in schema:
            imports.add("schemas.study.enums", target)
            imports.add("schemas.study.fields", "OpenEnum")
            imports.add("typing", "Annotated")
            return f"Annotated[str, OpenEnum({target})]"
        if target not in SCALAR_REFS:
            raise ValueError(f"{owner}.{key}: no field type for scalar schema {target!r}")
        if SCALAR_REFS[target] != "str":
            imports.add("schemas.study.fields", SCALAR_REFS[target])
        return SCALAR_REFS[target]
    return _inline_type(spec, owner, key, prop, imports)


def _inline_type(
    spec: SpecSource, owner: str, key: str, prop: Mapping[str, Any], imports: _Imports
) -> str:
    kind = prop.get("type")
    if kind not in PRIMITIVES:
        raise ValueError(f"{owner}.{key}: unsupported inline type {kind!r}")
    special = None
    if prop.get("format") == "date":
        special = "CalendarDate"
    elif "pattern" in prop:
        if prop["pattern"] not in PATTERNS:
            raise ValueError(f"{owner}.{key}: no field type for pattern {prop['pattern']!r}")
        special = PATTERNS[prop["pattern"]]
    elif (owner, key) in spec.markup:
        special = "Markup"
    elif "format" in prop and kind == "string":
        raise ValueError(f"{owner}.{key}: no field type for format {prop['format']!r}")
    if special is None:
        return PRIMITIVES[kind]
    imports.add("schemas.study.fields", special)
    return special


def _field_line(
    spec: SpecSource, owner: str, key: str, prop: Mapping[str, Any], imports: _Imports
) -> str:
    if prop.get("type") == "array":
        annotation = f"list[{_scalar_type(spec, owner, key, prop['items'], imports)}]"
    else:
        annotation = _scalar_type(spec, owner, key, prop, imports)
    if keyword.iskeyword(key):
        imports.add("pydantic", "Field")
        return f'    {key}_: {annotation} | None = Field(default=None, alias="{key}")'
    if key in RESERVED or key.startswith("model_"):
        raise ValueError(f"{owner}.{key}: the name shadows a pydantic.BaseModel attribute")
    return f"    {key}: {annotation} | None = None"


def _class_source(
    spec: SpecSource, name: str, paths: list[str], imports: _Imports, mod_of: dict[str, str]
) -> str:
    schema = spec.schemas[name]
    lines = [f"class {name}(StudyModel):", f'    """OAS {spec.version} schema `{name}`.', ""]
    if paths == [""]:
        lines += ["    The whole record, as `GET /api/v2/studies/{nctId}` returns it."]
    else:
        lines += ["    Found at:"] + [f"        {path}" for path in paths]
    if schema.get("required"):
        required = ", ".join(schema["required"])
        lines += ["", f"    The spec requires {required}; optional here, like every field, so a"]
        lines += ["    record missing them still validates."]
    lines += ['    """', ""]
    for key, prop in schema["properties"].items():
        lines.append(_field_line(spec, name, key, prop, imports))
        target = ref_name(prop)
        if target and is_object(spec.schemas[target]) and mod_of[target] != mod_of[name]:
            imports.add(f"schemas.study.{mod_of[target]}", target)
    return "\n".join(lines) + "\n"


def _import_block(imports: _Imports, module: str) -> str:
    """The import lines, grouped and sorted the way ruff's isort rule wants them."""
    stdlib = [m for m in sorted(imports.names) if m == "typing"]
    third = [m for m in sorted(imports.names) if m == "pydantic"]
    own = [m for m in sorted(imports.names) if m.startswith("schemas.") and m != module]
    groups = ["from __future__ import annotations"]
    for mods in (stdlib, third, own):
        if mods:
            groups.append("\n".join(_from_import(m, imports.names[m]) for m in mods))
    return "\n\n".join(groups) + "\n"


def _from_import(module: str, names: set[str]) -> str:
    # ruff's isort order: CONSTANTS, then Classes, then functions, each case-insensitively.
    ordered = sorted(names, key=lambda n: (not n.isupper(), not n[:1].isupper(), n.lower(), n))
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= 100:
        return line
    body = "".join(f"    {n},\n" for n in ordered)
    return f"from {module} import (\n{body})"


def _header(spec: SpecSource, what: str) -> str:
    note = f"Generated from OAS {spec.version} by schemas/study/_generate.py; do not edit."
    return f'"""{what}.\n\n{note}\n"""\n\n'


def render_enums(spec: SpecSource) -> str:
    """Source of `enums.py`: one StrEnum per spec enum the Study record uses, and `ENUMS`."""
    names = reachable(spec.schemas)
    users = _enum_users(spec.schemas, names)
    parts = [
        _header(spec, "Enums of the Study record"),
        "from __future__ import annotations\n\nfrom enum import StrEnum\n",
    ]
    enums = [n for n in names if "enum" in spec.schemas[n]]
    for name in sorted(enums, key=list(spec.schemas).index):
        lines = [f"class {name}(StrEnum):", f'    """OAS {spec.version} enum `{name}`.', ""]
        lines += ["    Used by:"] + [f"        {user}" for user in users[name]] + ['    """', ""]
        for value in spec.schemas[name]["enum"]:
            if not value.isidentifier() or keyword.iskeyword(value):
                raise ValueError(f"{name}: value {value!r} is not a valid member name")
            lines.append(f'    {value} = "{value}"')
        parts.append("\n\n" + "\n".join(lines) + "\n")
    index = "".join(f'    "{name}": {name},\n' for name in enums)
    parts.append(
        f"\n\n# Spec enum name -> class.\nENUMS: dict[str, type[StrEnum]] = {{\n{index}}}\n"
    )
    return "".join(parts)


def render_models(spec: SpecSource) -> dict[str, str]:
    """Source of each model module (`protocol.py`, ..., `models.py`), keyed by file name."""
    mod_of = module_of(spec.schemas)
    paths = schema_paths(spec.schemas)
    order = _definition_order(spec.schemas)
    sources: dict[str, str] = {}
    for module in [COMMON, *SECTION_MODULES.values(), ROOT_MODULE]:
        names = [n for n in order if mod_of[n] == module]
        imports = _Imports()
        imports.add("schemas.study.fields", "StudyModel")
        classes = [_class_source(spec, n, paths[n], imports, mod_of) for n in names]
        title = _module_title(module)
        tail = _models_index(order, mod_of, imports) if module == ROOT_MODULE else ""
        body = "\n\n".join(classes)
        text = _header(spec, title) + _import_block(imports, f"schemas.study.{module}")
        sources[f"{module}.py"] = text + "\n\n" + body + tail
    return sources


def _module_title(module: str) -> str:
    if module == COMMON:
        return "Study models shared by more than one section"
    if module == ROOT_MODULE:
        return "The Study record model and an index of every Study model"
    section = next(k for k, v in SECTION_MODULES.items() if v == module)
    return f"Study models of `{section}`"


def _models_index(order: list[str], mod_of: dict[str, str], imports: _Imports) -> str:
    for name in order:
        if mod_of[name] != ROOT_MODULE:
            imports.add(f"schemas.study.{mod_of[name]}", name)
    entries = "".join(f'    "{name}": {name},\n' for name in order)
    return (
        "\n\n# OAS schema name -> model, for every object schema reachable from Study.\n"
        f"MODELS: dict[str, type[StudyModel]] = {{\n{entries}}}\n"
    )


def render(spec: SpecSource) -> dict[str, str]:
    """Every generated file's source, keyed by file name in schemas/study/."""
    return {"enums.py": render_enums(spec), **render_models(spec)}


def main(argv: list[str]) -> int:
    """Regenerate the checked-in modules from the spec directory given (or the default one)."""
    spec_dir = Path(argv[0]) if argv else DEFAULT_SPEC_DIR
    for name, text in render(load_spec(spec_dir)).items():
        (OUT_DIR / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
