"""Schemathesis hooks for Sklad's API contract run (scripts/api-contract/run).

`POST /restore` takes a firm archive as `application/gzip`, a media type
schemathesis has no serializer for: the generated body is sent gzip-compressed.

`response_declares_every_property` checks that the document names every property the
server answers with, so that a client generated from it sees the whole answer.
"""

import gzip

import schemathesis


@schemathesis.serializer("application/gzip")
def gzip_body(ctx, value):
    if value is None:
        return None
    if isinstance(value, str):
        value = value.encode("utf-8")
    elif not isinstance(value, (bytes, bytearray)):
        value = repr(value).encode("utf-8")
    return gzip.compress(bytes(value))


def _resolve(doc, schema):
    """`schema` with its local `$ref`s followed."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        node = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node.get(part.replace("~1", "/").replace("~0", "~"), {})
        schema, seen = node, seen + 1
    return schema if isinstance(schema, dict) else {}


def _undeclared(doc, value, schema, path):
    """The paths of `value`'s object properties that `schema` does not declare."""
    schema = _resolve(doc, schema)
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        found = [_undeclared(doc, value, alt, path) for alt in alternatives]
        return min(found, key=len)
    if "allOf" in schema:
        merged = {"properties": {}}
        for part in schema["allOf"]:
            part = _resolve(doc, part)
            merged["properties"].update(part.get("properties", {}))
            if "additionalProperties" in part:
                merged["additionalProperties"] = part["additionalProperties"]
        return _undeclared(doc, value, merged, path)
    out = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                out += _undeclared(doc, item, properties[name], f"{path}/{name}")
            elif isinstance(extra, dict):
                out += _undeclared(doc, item, extra, f"{path}/{name}")
            elif extra is not True:
                out.append(f"{path}/{name}")
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                out += _undeclared(doc, item, items, f"{path}/{i}")
    return out


@schemathesis.check
def response_declares_every_property(ctx, response, case):
    """Every property of a JSON answer is in the document's schema for that answer.

    `response_schema_conformance` lets an answer carry properties its schema does not
    name; a client generated from the document would never see them, so here a
    property the server sends and the document leaves out is a finding."""
    if "json" not in response.headers.get("content-type", [""])[0]:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    doc = case.operation.schema.raw_schema
    responses = case.operation.definition.raw.get("responses", {})
    status = str(response.status_code)
    declared = responses.get(status) or responses.get(f"{status[0]}XX") or responses.get("default")
    if declared is None:
        return None  # status_code_conformance reports it
    content = _resolve(doc, declared).get("content", {})
    media = next((m for m in content if "json" in m), None)
    if media is None:
        return None
    missing = _undeclared(doc, body, content[media].get("schema", {}), "")
    if missing:
        raise AssertionError(
            f"{response.status_code} answer has properties its schema does not declare: "
            + ", ".join(sorted(set(missing))[:20])
        )
    return None
