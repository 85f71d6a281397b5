"""Schemathesis hooks for Sklad's API contract run (scripts/api-contract/run).

`POST /restore` takes a firm archive as `application/gzip`, a media type
schemathesis has no serializer for: the generated body is sent gzip-compressed.
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
