"""A real S3 API on the loopback for the storage tests: moto's server mode.

``s3_server`` (one per run) listens on 127.0.0.1 on a free port; ``s3_bucket`` gives each
test an empty bucket of its own, with the AWS variables (endpoint, fake credentials) set
as an installation sets them. ``s3_app`` is the test app switched to that bucket through
``MONITOR_STORAGE_URL``'s setting. :class:`S3Server` can be started and stopped by a test
that needs the store to go away half-way.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from monitor import storage


class S3Server:
    """moto's S3 server in a thread; :meth:`stop` closes its socket (connections refused)."""

    def __init__(self, port: int = 0) -> None:
        from moto.server import ThreadedMotoServer  # imported only by the tests that use it

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.server.start()
        host, self.port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{self.port}"

    def stop(self) -> None:
        self.server.stop()
        if self.server._server is not None:  # shutdown() leaves the socket listening
            self.server._server.server_close()


def aws_env(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """The variables an installation sets for its object store (fake credentials here)."""
    for name, value in {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test-sleutel",
                        "AWS_SECRET_ACCESS_KEY": "test-geheim", "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def new_bucket(endpoint: str) -> str:
    import boto3

    name = f"tv-{uuid.uuid4().hex[:16]}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=name)
    return name


def objects(bucket: str, endpoint: str) -> dict[str, bytes]:
    """Every object in the bucket (name → content), read with a client of its own."""
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    names = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
             for o in page.get("Contents", [])]
    return {n: client.get_object(Bucket=bucket, Key=n)["Body"].read() for n in sorted(names)}


def use_bucket(app: Flask, bucket: str, prefix: str = "tv", **options: str) -> storage.Storage:
    """Switch ``app`` to the bucket the way an installation does: its storage URL."""
    query = "&".join(f"{k}={v}" for k, v in options.items())
    app.config["STORAGE_URL"] = f"s3://{bucket}/{prefix}" + (f"?{query}" if query else "")
    storage.init_app(app)
    return app.extensions["monitor.storage"]


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    server = S3Server()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty bucket of this test's own on the loopback S3 server."""
    aws_env(monkeypatch, s3_server.endpoint)
    return new_bucket(s3_server.endpoint)


@pytest.fixture
def s3_app(app: Flask, s3_bucket: str) -> Flask:
    """The test app with its files in the test's bucket (prefix ``tv``)."""
    use_bucket(app, s3_bucket, attempts="1")
    return app


class _Later:
    """``time`` as the stores see it, ``seconds`` later."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def time(self) -> float:
        import time

        return time.time() + self.seconds


def age_files(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make every stored file look ``seconds`` older to the stores (local and S3), for the
    clean-ups that only take files of a certain age (S3 cannot backdate an object)."""
    from monitor import storage_s3

    for module in (storage, storage_s3):
        monkeypatch.setattr(module, "time", _Later(seconds))
