"""Uploads go to the S3 media bucket when one is configured, to local disk otherwise.

Run in real processes outside test mode (test mode keeps media in memory), against moto's S3
on 127.0.0.1.
"""

import sys
from pathlib import Path

import pytest

from tests.core.subprocess_env import ROOT, run_python

sys.path.insert(0, str(ROOT / "scripts"))
from rehearse_deploy import MotoServer

SAVE_AND_READ = """
import django; django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import storages
storage = storages["default"]  # what FileFields and default_storage use
name = storage.save("workplaces/room.txt", ContentFile(b"a quiet room"))
print(type(storage).__name__, name, storage.open(name).read().decode())
"""
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3():
    server = MotoServer().start()
    yield server
    server.stop()


def test_uploads_go_to_the_media_bucket_when_one_is_configured(s3):
    import boto3

    client = boto3.client(
        "s3", endpoint_url=s3.url, **{k.lower(): v for k, v in FAKE_AWS.items() if "KEY" in k}, region_name="us-east-1"
    )
    client.create_bucket(Bucket="writing-media")
    result = run_python(
        ["-c", SAVE_AND_READ],
        DEBUG="True",
        AWS_STORAGE_BUCKET_NAME="writing-media",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_ENDPOINT_URL=s3.url,
        **FAKE_AWS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["S3Storage", "workplaces/room.txt", "a", "quiet", "room"]
    stored = client.get_object(Bucket="writing-media", Key="media/workplaces/room.txt")["Body"].read()
    assert stored == b"a quiet room"


def test_uploads_go_to_local_disk_without_a_bucket(tmp_path):
    result = run_python(["-c", SAVE_AND_READ], DEBUG="True", MEDIA_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split()[0] == "FileSystemStorage"
    assert (Path(tmp_path) / "workplaces" / "room.txt").read_bytes() == b"a quiet room"
