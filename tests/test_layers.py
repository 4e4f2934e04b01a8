"""The layer rule, read from the imports: models → services → GraphQL / Slack / web, and
only the process wiring in hub/server brings GraphQL and Slack together."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hub", "graphql_schema", "bots")
FRAMEWORKS = ("strawberry", "slack_bolt", "slack_sdk", "starlette")
FRONT_ENDS = ("graphql_schema", "bots")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> Iterator[str]:
    """Every module a file imports, at any depth (also imports inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _modules() -> Iterator[tuple[str, list[str]]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield _module_name(path), sorted(set(_imports(path)))


def test_the_walk_finds_the_code() -> None:
    names = {name for name, _ in _modules()}
    assert {"hub.server.app", "hub.services", "graphql_schema.schema", "bots.slack.app"} <= names


def test_models_and_services_know_no_framework_nor_front_end() -> None:
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if _within(name, "hub.services") or _within(name, "hub.models")
        for imported in imports
        if any(_within(imported, banned) for banned in FRAMEWORKS + FRONT_ENDS)
    ]
    assert violations == []


def test_only_the_server_wires_graphql_and_slack() -> None:
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if not _within(name, "hub.server")
        for imported in imports
        for front_end in FRONT_ENDS
        if _within(imported, front_end) and not _within(name, front_end)
    ]
    assert violations == []


def test_models_do_not_import_services() -> None:
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if _within(name, "hub.models")
        for imported in imports
        if _within(imported, "hub.services")
    ]
    assert violations == []


def test_nothing_imports_the_server() -> None:
    """The wiring sits on top: no layer below it reaches back up into hub/server."""
    violations = [
        f"{name} imports {imported}"
        for name, imports in _modules()
        if not _within(name, "hub.server")
        for imported in imports
        if _within(imported, "hub.server")
    ]
    assert violations == []


# Reading and writing documents: the calls that reach the database through a model.
QUERY_METHODS = frozenset(
    {
        "find",
        "find_one",
        "find_all",
        "find_many",
        "get",
        "get_pymongo_collection",
        "aggregate",
        "count",
        "count_documents",
        "distinct",
        "insert",
        "insert_one",
        "insert_many",
        "save",
        "replace",
        "update",
        "update_one",
        "update_many",
        "upsert",
        "delete",
        "delete_one",
        "delete_many",
        "find_one_and_update",
        "bulk_write",
    }
)
# Where documents may be read and written: the services, the models themselves, the
# database setup (indexes, migrations of the schema) and what tests and benchmarks
# arrange directly.
DOCUMENT_OWNERS = ("hub.services", "hub.models", "hub.db")
# Named exceptions, each with the reason a service method cannot take its place. None
# today: even the doctor, which opens its own client without Beanie, reads the raw
# collections through hub/services/platform/diagnosis.py.
QUERY_EXCEPTIONS: dict[str, str] = {}


def _model_names(tree: ast.AST) -> set[str]:
    """The local names a module binds to hub.models or anything imported from it."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _within(node.module, "hub.models") or (
                node.module == "hub" and any(a.name == "models" for a in node.names)
            ):
                names |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _within(alias.name, "hub.models"):
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def _query_calls(source: str) -> Iterator[str]:
    """Calls of a query method on a receiver that names a model (`FollowUp.find(…)`,
    `OutboxMessage.get_pymongo_collection()`, `model.RightsRequest.get(…)`,
    `database[Display.Settings.name].find_one(…)`)."""
    tree = ast.parse(source)
    models = _model_names(tree)
    if not models:
        return
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in QUERY_METHODS:
            continue
        receiver = {n.id for n in ast.walk(node.func.value) if isinstance(n, ast.Name)}
        if receiver & models:
            yield f"{ast.unparse(node.func)}(…) at line {node.lineno}"


def test_only_services_read_and_write_documents() -> None:
    """GraphQL, Slack, web pages and the process wiring go through a service method:
    no query of a model, nor its PyMongo collection, outside hub/services."""
    violations = [
        f"{_module_name(path)}: {call}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not any(_within(_module_name(path), owner) for owner in DOCUMENT_OWNERS)
        and _module_name(path) not in QUERY_EXCEPTIONS
        for call in _query_calls(path.read_text(encoding="utf-8"))
    ]
    assert violations == []


def test_the_query_rule_sees_a_query() -> None:
    source = (
        "from hub.models.followup import FollowUp\n"
        "from hub.models import privacy as model\n"
        "async def f(database):\n"
        "    await FollowUp.find({}).to_list()\n"
        "    await model.RightsRequest.get('x')\n"
        "    await database[FollowUp.Settings.name].find_one({})\n"
        "    FollowUp.get_pymongo_collection()\n"
        "    {}.get('x')\n"
    )
    assert len(list(_query_calls(source))) == 4


# Raw (PyMongo) access to a collection: its PyMongo collection through a model or a
# store, a collection taken from a database by name, or a store of one's own.
RAW_ACCESS_CALLS = frozenset({"get_pymongo_collection", "get_collection", "collection"})
# Where raw queries live: each collection's store module, and the base they build on.
STORE_BASE = "hub.services.platform.store"
# Named exceptions, each with its reason.
RAW_ACCESS_EXCEPTIONS: dict[str, str] = {
    "hub.db": "the database set-up: drops retired indexes by collection name before Beanie "
    "binds the models, and manages the embedded server's users",
    "hub.batch": "a transaction's batch of writes: holds a new document's insert into its "
    "model's collection with the other writes, for any model (the stores hand it theirs)",
}


def _is_store_module(name: str) -> bool:
    return name == STORE_BASE or (
        name.startswith("hub.services.")
        and ".stores." in name + "."
        and name != "hub.services.stores"
    )


def _raw_access(source: str) -> Iterator[str]:
    """`Model.get_pymongo_collection()`, `database.get_collection(…)`,
    `STORE.collection()`, `database[name]` (also `x.database[name]`) and
    `CollectionStore(Model)`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in RAW_ACCESS_CALLS:
                yield f"{ast.unparse(node.func)}(…) at line {node.lineno}"
            elif isinstance(node.func, ast.Name) and node.func.id == "CollectionStore":
                yield f"CollectionStore(…) at line {node.lineno}"
        elif isinstance(node, ast.Subscript):
            value = node.value
            named = value.id if isinstance(value, ast.Name) else getattr(value, "attr", "")
            if named == "database":
                yield f"{ast.unparse(node)} at line {node.lineno}"


def _code_files() -> Iterator[tuple[str, Path]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield _module_name(path), path


def test_only_store_modules_reach_a_collection() -> None:
    """A collection's raw queries live in its store module (docs/architecture.md, "Where
    a collection's queries live"); services call the store's named functions."""
    violations = [
        f"{name}: {access}"
        for name, path in _code_files()
        if not _is_store_module(name) and name not in RAW_ACCESS_EXCEPTIONS
        for access in _raw_access(path.read_text(encoding="utf-8"))
    ]
    assert violations == []


def test_each_collection_has_exactly_one_store_module() -> None:
    """Every collection (by its Beanie model's Settings name) is built into a store in
    exactly one store module, and hub/services/stores.py lists each store once."""
    from hub.models import ALL_MODELS
    from hub.services.stores import STORES

    models = {model.__name__: str(model.Settings.name) for model in ALL_MODELS}
    owners: dict[str, list[str]] = {collection: [] for collection in models.values()}
    for name, path in _code_files():
        if not _is_store_module(name) or name == STORE_BASE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "CollectionStore"
            ):
                (model,) = node.args
                assert isinstance(model, ast.Name), f"{name}: CollectionStore of {model}"
                owners[models[model.id]].append(name)
        assert "get_pymongo_collection" not in path.read_text(encoding="utf-8"), name
    assert {collection: found for collection, found in owners.items() if len(found) != 1} == {}
    listed = sorted(store.name for store in STORES)
    assert listed == sorted(models.values())


def test_the_raw_access_rule_sees_raw_access() -> None:
    source = (
        "async def f(database, STORE):\n"
        "    FollowUp.get_pymongo_collection()\n"
        "    database.get_collection('outbox')\n"
        "    STORE.collection()\n"
        "    await database['outbox'].find_one({})\n"
        "    live.database['x']\n"
        "    CollectionStore(FollowUp)\n"
        "    {}['database']\n"
        "    entry.collection\n"
    )
    assert len(list(_raw_access(source))) == 6
