"""Serving stored videos so a browser can seek: HTTP range requests (RFC 9110 §14).

* ``Range: bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` → 206 Partial Content with Content-Range;
  a range starting past the end → 416 with ``Content-Range: bytes */size``; a malformed or
  multi-range header is ignored (200 with the whole file), as the RFC allows.
* An optional *allowance* (used by 试听) limits which bytes may be served at all: a request
  starting outside the allowed spans gets 416, one that runs past a span's end is cut at it.
* Storage: files are read through Django's storage API, so the embedded FileSystemStorage and
  an S3-compatible backend both work. When the storage gives absolute URLs (an S3 backend
  with signed, short-lived query-string URLs), ``redirect_if_remote`` sends the browser there
  instead of streaming through a web process.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.files.storage import Storage
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse

CHUNK_SIZE = 64 * 1024
_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")

mimetypes.add_type("application/vnd.apple.mpegurl", ".m3u8")
mimetypes.add_type("video/mp2t", ".ts")
mimetypes.add_type("video/mp4", ".mp4")
mimetypes.add_type("video/webm", ".webm")


class RangeNotSatisfiable(Exception):
    pass


@dataclass(frozen=True)
class ByteSpan:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> ByteSpan | None:
    """The requested span, None to serve the whole file, or RangeNotSatisfiable."""
    if not header:
        return None
    header = header.strip()
    if "," in header:
        return None  # multiple ranges: ignored (the whole representation is a valid answer)
    match = _RANGE_RE.match(header.replace(" ", ""))
    if not match:
        return None  # not a byte range we understand: ignored
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteSpan(max(0, size - suffix), size - 1)
    start = int(first)
    if start >= size:
        raise RangeNotSatisfiable
    end = size - 1 if last == "" else int(last)
    if end < start:
        return None  # syntactically invalid: ignored
    return ByteSpan(start, min(end, size - 1))


def _clip_to_allowance(span: ByteSpan, allowance: Sequence[ByteSpan]) -> ByteSpan:
    for allowed in allowance:
        if allowed.start <= span.start <= allowed.end:
            return ByteSpan(span.start, min(span.end, allowed.end))
    raise RangeNotSatisfiable


def _iter_file(fh, start: int, length: int) -> Iterator[bytes]:
    try:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fh.close()


def content_type_for(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def not_satisfiable(size: int) -> HttpResponse:
    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    response["Accept-Ranges"] = "bytes"
    return response


def serve_ranged(
    request,
    storage: Storage,
    name: str,
    *,
    allowance: Sequence[ByteSpan] | None = None,
    size: int | None = None,
    content_type: str | None = None,
    cache_seconds: int = 0,
):
    """A (partial) response for a stored file honouring the Range header (and an allowance)."""
    size = storage.size(name) if size is None else size
    try:
        span = parse_range(request.headers.get("Range"), size)
        if allowance is not None:
            # Under an allowance the whole file is never sent: no Range means "from the start".
            span = _clip_to_allowance(span or ByteSpan(0, max(size - 1, 0)), allowance)
    except RangeNotSatisfiable:
        return not_satisfiable(size)
    if request.method == "HEAD":
        fh = None
    else:
        fh = storage.open(name, "rb")
    status = 200 if span is None else 206
    start, length = (0, size) if span is None else (span.start, span.length)
    if fh is None:
        response = HttpResponse(status=status)
    else:
        response = StreamingHttpResponse(_iter_file(fh, start, length), status=status)
    response["Content-Type"] = content_type or content_type_for(name)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = "inline"
    if span is not None:
        response["Content-Range"] = f"bytes {span.start}-{span.end}/{size}"
    response["Cache-Control"] = f"private, max-age={cache_seconds}" if cache_seconds else "private, no-store"
    return response


def remote_url(storage: Storage, name: str) -> str | None:
    """The storage's absolute URL for the file (e.g. a signed S3 URL), or None for local storage."""
    try:
        url = storage.url(name)
    except NotImplementedError:
        return None
    if url.startswith(("http://", "https://")):
        return url
    return None


def redirect_if_remote(storage: Storage, name: str) -> HttpResponseRedirect | None:
    url = remote_url(storage, name)
    if url is None:
        return None
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    return response
