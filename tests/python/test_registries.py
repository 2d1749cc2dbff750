"""A private registry's login through Daytona's own API client (`daytona_api_client`, shipped with
the official Python SDK, unmodified): a registry added with `DockerRegistryApi`, listed, got and
updated with its password never answered; the SDK's `snapshot.create` then pulls from the private
registry (tests/support/oci-registry.sh with htpasswd) and a sandbox runs on it; without the login
the pull fails with the registry's reason."""

import uuid

import pytest
from daytona import CreateSandboxFromSnapshotParams, CreateSnapshotParams, DaytonaError
from daytona_api_client import CreateDockerRegistry, DockerRegistryApi, UpdateDockerRegistry

from conftest import start_registry

USER, PASSWORD = "bob", "py-Pa55word"


@pytest.fixture(scope="module")
def private_registry():
    """`127.0.0.1:PORT` of a registry that answers only USER:PASSWORD."""
    yield from start_registry(OCI_AUTH=f"{USER}:{PASSWORD}")


def test_a_private_registry_is_logged_in_to(daytona, private_registry):
    image = f"{private_registry}/test/busybox:1.0"
    with pytest.raises(DaytonaError) as refused:
        daytona.snapshot.create(CreateSnapshotParams(name=f"py-priv-{uuid.uuid4().hex[:8]}", image=image))
    assert "authentication required" in str(refused.value) or "unauthorized" in str(refused.value)

    registries = DockerRegistryApi(daytona._api_client)
    made = registries.create_registry(
        CreateDockerRegistry(name="py-private", url=f"http://{private_registry}", username=USER, password="wrong")
    )
    try:
        assert made.registry_type == "organization" and made.username == USER
        fixed = registries.update_registry(
            made.id,
            UpdateDockerRegistry(name="py-private", url=f"http://{private_registry}", username=USER, password=PASSWORD),
        )
        assert fixed.id == made.id
        assert [r.id for r in registries.list_registries() if r.name == "py-private"] == [made.id]
        got = registries.get_registry(made.id)
        assert PASSWORD not in got.to_json() and "password" not in got.to_dict()

        name = f"py-priv-{uuid.uuid4().hex[:8]}"
        snap = daytona.snapshot.create(CreateSnapshotParams(name=name, image=image))
        assert snap.state == "active"
        sb = daytona.create(CreateSandboxFromSnapshotParams(snapshot=name))
        try:
            assert sb.process.exec("echo $GREETING").result == "hello\n"
        finally:
            daytona.delete(sb, wait=True)
        daytona.snapshot.delete(snap)
    finally:
        registries.delete_registry(made.id)
    assert all(r.id != made.id for r in registries.list_registries())
