"""The store on S3-compatible object storage (the hosting party's, MinIO, Ceph RGW).

Chosen with ``MONITOR_STORAGE_URL=s3://bucket/prefix``; boto3 takes the endpoint and the
credentials from the usual AWS variables (``AWS_ENDPOINT_URL`` or ``AWS_ENDPOINT_URL_S3``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, or a profile /
instance role). Options in the URL's query: ``addressing=path|virtual`` (default ``path``
when a custom endpoint is set, as MinIO and Ceph expect, else ``auto``) and ``attempts=N``
(tries per request, default 3).

A key ``photos/x.jpg`` is the object ``<prefix>/photos/x.jpg``. Writes are one PUT, or a
multipart upload that only becomes visible when it completes: a reader sees all bytes or
none. Everything the client raises becomes :class:`~monitor.storage.StorageError` (Dutch)
or :class:`FileNotFoundError` for a missing key; the technical cause is logged.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, urlsplit

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .storage import CHUNK, NOT_SAVED, StorageError, check_key, is_key

logger = logging.getLogger(__name__)

UNREACHABLE = ("De opslag voor bestanden is nu niet bereikbaar. Er is niets opgeslagen; "
               "probeer het later opnieuw.")
REFUSED = ("De opslag voor bestanden weigerde de bewerking. Probeer het later opnieuw of "
           "waarschuw de beheerder.")
_MISSING = {"NoSuchKey", "404", "NotFound"}


@contextmanager
def _errors(key: str = "", writing: bool = False) -> Iterator[None]:
    try:
        yield
    except ClientError as err:
        code = str(err.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise FileNotFoundError(key) from err
        logger.warning("Object store refused %s: %s", key or "request", err)
        raise StorageError(REFUSED) from err
    except BotoCoreError as err:
        logger.warning("Object store unreachable (%s): %s", key or "request", err)
        raise StorageError(UNREACHABLE) from err
    except OSError as err:
        if not writing:
            raise
        logger.warning("Could not read the file to store as %s: %s", key, err)
        raise StorageError(NOT_SAVED) from err


class S3Storage:
    """Objects in one bucket, under an optional prefix."""

    local_root: Path | None = None

    def __init__(self, bucket: str, prefix: str = "", client=None, *, attempts: int = 3,
                 addressing: str | None = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if self.prefix:
            check_key(self.prefix)
        if client is None:
            custom = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            config = Config(connect_timeout=5, read_timeout=60,
                            retries={"total_max_attempts": attempts, "mode": "standard"},
                            s3={"addressing_style": addressing or ("path" if custom else "auto")})
            client = boto3.session.Session().client("s3", config=config)
        self.client = client
        # Large files go up in parts of 16 MB; the object appears only when all are there.
        self.transfer = TransferConfig(multipart_threshold=16 * 1024 * 1024,
                                       multipart_chunksize=16 * 1024 * 1024, use_threads=False)

    @classmethod
    def from_url(cls, url: str) -> S3Storage:
        parts = urlsplit(url)
        if not parts.netloc:
            raise RuntimeError(f"MONITOR_STORAGE_URL {url!r}: no bucket (s3://bucket/prefix)")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return cls(parts.netloc, parts.path, attempts=int(query.get("attempts", 3)),
                   addressing=query.get("addressing"))

    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _key(self, name: str) -> str:
        return name[len(self.prefix) + 1:] if self.prefix else name

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        with _errors(key, writing=True):
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data,
                                   ContentType=content_type)

    def put_file(self, key: str, fh: BinaryIO, content_type: str = "application/octet-stream") -> None:
        with _errors(key, writing=True):  # a failed multipart upload is aborted (s3transfer)
            self.client.upload_fileobj(fh, self.bucket, self._name(key), Config=self.transfer,
                                       ExtraArgs={"ContentType": content_type})

    def get(self, key: str) -> bytes:
        with _errors(key):
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()

    def stream(self, key: str) -> Iterator[bytes]:
        with _errors(key):
            body = self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                with _errors(key):
                    yield from body.iter_chunks(CHUNK)
            finally:
                body.close()
        return chunks()

    def size(self, key: str) -> int:
        with _errors(key):
            return int(self.client.head_object(Bucket=self.bucket, Key=self._name(key))["ContentLength"])

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except FileNotFoundError:
            return False
        return True

    def delete(self, key: str) -> None:
        with _errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self, prefix: str = "", older_than: float = 0) -> Iterator[str]:
        """Stored keys under ``prefix`` (a folder key or ""), last written ``older_than`` s ago."""
        base = self._name(prefix) + "/" if prefix else (f"{self.prefix}/" if self.prefix else "")
        cutoff = time.time() - older_than
        with _errors(prefix):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base)
            for page in pages:
                for item in page.get("Contents", []):
                    key = self._key(item["Key"])
                    if is_key(key) and item["LastModified"].timestamp() <= cutoff:
                        yield key

    def stray(self, older_than: float = 3600) -> list[str]:
        """Multipart uploads that were started but never completed nor aborted."""
        cutoff = time.time() - older_than
        found = []
        with _errors():
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "")
            for page in pages:
                for item in page.get("Uploads", []):
                    if item["Initiated"].timestamp() <= cutoff:
                        found.append(f"{item['Key']}\n{item['UploadId']}")
        return found

    def discard_stray(self, names: list[str]) -> None:
        for name in names:
            key, _, upload_id = name.partition("\n")
            with _errors(key):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def local_path(self, key: str) -> Path | None:
        return None

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"
