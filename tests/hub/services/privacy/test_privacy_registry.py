"""The registry classifies every field of every collection: adding a field (or a
nested model) to a document without deciding whether it is personal data fails here."""

from __future__ import annotations

import re
import types
from typing import Any, Union, get_args, get_origin

import pytest
from beanie import Document
from pydantic import BaseModel

from hub.models import ALL_MODELS
from hub.services.privacy.registry import REGISTRY, OnErasure, entry_for

# Field names that suggest personal data; marking one of them "not personal" needs a
# reason that says why (see the registry).
PERSONAL_HINTS = re.compile(
    r"(^|_)(email|username|user|user_id|subject|url|comment|note|company|name|address|"
    r"phone|ip|payload|label|country|message|text)(_|s?$)"
)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, list, tuple, set, frozenset):
        return [model for arg in get_args(annotation) for model in _models_in(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def leaf_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every stored field as a dotted path; nested models are walked into."""
    base = set(Document.model_fields) if issubclass(model, Document) else set()
    paths = []
    for name, info in model.model_fields.items():
        if name in base:
            continue
        nested = _models_in(info.annotation)
        if nested:
            for inner in nested:
                paths.extend(leaf_paths(inner, f"{prefix}{name}."))
        else:
            paths.append(prefix + name)
    return paths


def test_every_model_has_one_registry_entry() -> None:
    assert sorted(model.__name__ for model in ALL_MODELS) == sorted(
        entry.model.__name__ for entry in REGISTRY
    )


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_every_field_is_classified_once(model: type[Document]) -> None:
    entry = entry_for(model)
    fields = set(leaf_paths(model))
    personal = entry.personal_paths()
    assert len(personal) == len(set(personal)), "a field listed twice"
    assert not set(personal) & set(entry.not_personal), "both personal and not"
    classified = set(personal) | set(entry.not_personal)
    assert fields - classified == set(), f"{model.__name__}: unclassified fields"
    assert classified - fields == set(), f"{model.__name__}: registry names missing fields"


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_fields_that_look_personal_are_personal_or_explained(model: type[Document]) -> None:
    entry = entry_for(model)
    for path, reason in entry.not_personal.items():
        if PERSONAL_HINTS.search(path.split(".")[-1]):
            assert len(reason) > 10, f"{model.__name__}.{path} needs a reason"


def test_collections_about_subjects_say_how_they_are_found_and_erased() -> None:
    for entry in REGISTRY:
        if entry.subject_path is not None:
            assert entry.subject_path in entry.personal_paths() or any(
                entry.subject_path == item.path.split(".")[0] for item in entry.personal
            )
            assert entry.on_erasure in (OnErasure.DELETE, OnErasure.ANONYMISE)
            if entry.on_erasure is OnErasure.ANONYMISE:
                cleared = {key.split(".")[0] for key in entry.anonymised}
                for item in entry.personal:
                    if item.category.value in ("identifier", "contact", "customer"):
                        assert item.path.split(".")[0] in cleared, (entry.collection, item)
        elif entry.personal:
            # Kept on purpose, or deleted by the collection's own service; either way
            # the reason says how.
            assert entry.on_erasure in (OnErasure.KEEP, OnErasure.DELETE) and entry.reason


def test_the_walk_finds_nested_and_optional_models() -> None:
    from hub.models import FollowUp, Response

    assert {"user.id", "user.email", "customer.company", "comment"} <= set(leaf_paths(Response))
    assert {"resolution.note", "resolution.by.name", "posts.ts"} <= set(leaf_paths(FollowUp))


def test_every_collection_with_personal_data_has_a_retention_rule() -> None:
    from hub.services.privacy.registry import Retention
    from hub.services.privacy.retention import APPLIED_BY_THE_RUN

    for entry in REGISTRY:
        if not entry.personal:
            continue
        assert entry.retention, f"{entry.collection}: no retention rule"
        for rule in entry.retention:
            if rule is Retention.KEEP:
                assert entry.retention_reason, f"{entry.collection}: kept without a reason"
            elif rule is Retention.EXPIRES:
                # The database deletes them: a TTL index on the document
                ttl = [
                    index
                    for index in entry.model.Settings.indexes
                    if "expireAfterSeconds" in index.document
                ]
                assert ttl, f"{entry.collection}: expires without a TTL index"
            else:
                assert entry.collection in APPLIED_BY_THE_RUN.get(rule, ()), (
                    f"{entry.collection}: the retention run does not apply {rule}"
                )
