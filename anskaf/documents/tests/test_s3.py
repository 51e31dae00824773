"""The documents storage against a real S3 API: moto's server mode on 127.0.0.1."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from anskaf.documents.models import DocumentVersion
from anskaf.documents.testing import MINIMAL_PDF, upload

BUCKET = "anskaf-test-documents"


@pytest.fixture(scope="module")
def s3_endpoint():
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    import boto3
    import requests

    requests.post(f"{s3_endpoint}/moto-api/reset", timeout=10)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "test")
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-north-1",
                 aws_access_key_id="test", aws_secret_access_key="test").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": s3_endpoint, "region_name": "eu-north-1",
                    "access_key": "test", "secret_key": "test", "addressing_style": "path",
                    "default_acl": None, "file_overwrite": False}}}
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-north-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def keys(client) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_upload_and_download_round_trip_through_s3(coordinator, case, s3_storage):
    content = MINIMAL_PDF + "S3 æøå".encode()
    version = upload(coordinator, case, 4, "product_description", "Beskrivelse æøå.pdf", content)
    assert keys(s3_storage) == [version.storage_name]
    stored = s3_storage.get_object(Bucket=BUCKET, Key=version.storage_name)["Body"].read()
    assert stored == content
    client = Client()
    client.force_login(coordinator)
    response = client.get(reverse("documents:download", args=[case.pk, version.document_id, 1]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == content


def test_a_refused_file_leaves_no_object_in_the_bucket(coordinator, case, s3_storage):
    from anskaf.documents.validation import BadFile

    with pytest.raises(BadFile):
        upload(coordinator, case, 4, "product_description", "x.pdf", b"MZ\x90\x00")
    assert keys(s3_storage) == [] and not DocumentVersion.objects.exists()


def test_an_upload_interrupted_mid_write_leaves_no_object_in_the_bucket(coordinator, case,
                                                                        s3_storage):
    from anskaf.documents import services

    from .test_bad_files import BreaksOnSecondPass

    f = BreaksOnSecondPass(MINIMAL_PDF + b"x" * 10_000, "afbrudt.pdf")
    with pytest.raises(ConnectionResetError):
        services.document_upload(actor=coordinator, case_id=case.pk, number=4,
                                 type_key="product_description", fileobj=f, name=f.name)
    assert keys(s3_storage) == [] and not DocumentVersion.objects.exists()


def test_backup_takes_the_documents_from_s3_and_restore_puts_them_back(coordinator, case,
                                                                        s3_storage, tmp_path):
    import hashlib
    import tarfile

    from anskaf import backup

    content = MINIMAL_PDF + b"sikkerhedskopi"
    version = upload(coordinator, case, 4, "product_description", "Kopi.pdf", content)
    with tarfile.open(tmp_path / "backup.tar", "w") as tar:
        listed = backup._add_documents(tar)
    assert listed == [{"name": version.storage_name, "size": len(content),
                       "sha256": hashlib.sha256(content).hexdigest()}]
    s3_storage.delete_object(Bucket=BUCKET, Key=version.storage_name)
    with tarfile.open(tmp_path / "backup.tar") as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    unpacked = backup.Unpacked(tmp_path / "unpacked", {"documents": listed})
    backup._restore_documents(unpacked, written=[])
    assert keys(s3_storage) == [version.storage_name]
    stored = s3_storage.get_object(Bucket=BUCKET, Key=version.storage_name)["Body"].read()
    assert stored == content
