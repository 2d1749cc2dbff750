"""The official Python SDK (daytona==0.226.1) git API against daytona-local, with a real git
server: git's smart-HTTP backend behind Basic authentication (tests/support/git_http_server.py),
run inside the sandbox (a sandbox cannot reach the host). Every call of `sandbox.git`, the
typed `GIT_*` errors, and credentials that are used once and stored nowhere."""

import os
import uuid

import pytest
from daytona import (
    CreateSandboxFromSnapshotParams,
    DaytonaError,
    DaytonaGitAuthFailedError,
    DaytonaGitBranchExistsError,
    DaytonaGitBranchNotFoundError,
    DaytonaGitDirtyWorktreeError,
    DaytonaGitPushRejectedError,
    DaytonaGitRemoteRejectedError,
    DaytonaGitRepoNotFoundError,
    DaytonaGitTransportFailedError,
)

SUPPORT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "support")
PORT = 8417
BASE = f"http://127.0.0.1:{PORT}"
USER, PASSWORD = "alice", "pw-" + uuid.uuid4().hex


def sh(sandbox, command):
    r = sandbox.process.exec(command)
    assert r.exit_code == 0, r.result
    return r.result


@pytest.fixture(scope="module")
def sandbox(daytona):
    sb = daytona.create(CreateSandboxFromSnapshotParams(name=f"py-git-{uuid.uuid4().hex[:8]}"))
    try:
        for name in ("git-fixture.sh", "git_http_server.py"):
            with open(os.path.join(SUPPORT, name), "rb") as f:
                sb.fs.upload_file(f.read(), f"gitfix/{name}")
        r = sb.process.exec(f"sh gitfix/git-fixture.sh {PORT}", env={"GIT_SERVER_USER": USER, "GIT_SERVER_PASSWORD": PASSWORD})
        assert r.exit_code == 0, r.result
        yield sb
    finally:
        daytona.delete(sb)


def test_clone_private_needs_the_right_credentials_and_stores_none(sandbox):
    git = sandbox.git
    with pytest.raises(DaytonaGitAuthFailedError):
        git.clone(f"{BASE}/private/app.git", "nocreds")
    with pytest.raises(DaytonaGitAuthFailedError) as wrong:
        git.clone(f"{BASE}/private/app.git", "wrong", username=USER, password="not-" + PASSWORD)
    assert "not-" + PASSWORD not in str(wrong.value)

    git.clone(f"{BASE}/private/app.git", "private-app", username=USER, password=PASSWORD)
    assert sandbox.fs.download_file("private-app/README.md") == b"hello\n"
    # Used for that clone only: not in the repository's config, no credential store, and git
    # asks again for the next network operation.
    assert PASSWORD not in sh(sandbox, "cat private-app/.git/config; cat ~/.git-credentials 2>/dev/null; cat ~/.gitconfig 2>/dev/null; true")
    with pytest.raises(DaytonaGitAuthFailedError):
        git.pull("private-app")
    git.pull("private-app", username=USER, password=PASSWORD)


def test_every_git_call_on_a_clone(sandbox):
    git, fs = sandbox.git, sandbox.fs
    git.clone(f"{BASE}/open.git", "work/app")
    status = git.status("work/app")
    assert (status.current_branch, status.ahead, status.behind, status.branch_published) == ("main", 0, 0, True)
    assert status.file_status == []

    fs.upload_file(b"hello again\n", "work/app/README.md")
    fs.upload_file(b"new\n", "work/app/notes/new.txt")
    status = git.status("work/app")
    files = {f.name: (f.staging, f.worktree) for f in status.file_status}
    assert files == {"README.md": ("Unmodified", "Modified"), "notes/new.txt": ("Untracked", "Untracked")}

    git.add("work/app", ["."])
    files = {f.name: (f.staging, f.worktree) for f in git.status("work/app").file_status}
    assert files == {"README.md": ("Modified", "Unmodified"), "notes/new.txt": ("Added", "Unmodified")}
    commit = git.commit("work/app", "second commit", "Ada Lovelace", "ada@example.org")
    assert len(commit.sha) == 40
    assert sh(sandbox, "git -C work/app log -1 --format='%H %an <%ae> %cn %s'").strip() == (
        f"{commit.sha} Ada Lovelace <ada@example.org> Ada Lovelace second commit"
    )
    status = git.status("work/app")
    assert (status.ahead, status.behind, status.file_status) == (1, 0, [])
    git.push("work/app")
    assert git.status("work/app").ahead == 0

    # A change pushed from elsewhere: behind after a fetch, then pulled.
    git.clone(f"{BASE}/open.git", "work/other")
    fs.upload_file(b"from other\n", "work/other/other.txt")
    git.add("work/other", ["other.txt"])
    git.commit("work/other", "from other", "Bob", "bob@example.org")
    git.push("work/other")
    sh(sandbox, "git -C work/app fetch -q")
    assert git.status("work/app").behind == 1
    git.pull("work/app")
    assert fs.download_file("work/app/other.txt") == b"from other\n"

    # Branches.
    git.create_branch("work/app", "feature")
    with pytest.raises(DaytonaGitBranchExistsError):
        git.create_branch("work/app", "feature")
    branches = git.branches("work/app")
    assert sorted(branches.branches) == ["feature", "main"]
    git.checkout_branch("work/app", "feature")
    assert git.status("work/app").current_branch == "feature"
    with pytest.raises(DaytonaGitBranchNotFoundError):
        git.checkout_branch("work/app", "no-such-branch")
    git.checkout_branch("work/app", "dev")  # a remote's branch, tracked on checkout
    assert fs.download_file("work/app/dev.txt") == b"dev\n"
    git.checkout_branch("work/app", "main")
    git.delete_branch("work/app", "feature")
    assert sorted(git.branches("work/app").branches) == ["dev", "main"]

    # Push with an upstream of a new branch.
    git.create_branch("work/app", "topic")
    git.checkout_branch("work/app", "topic")
    git.push("work/app", set_upstream=True)
    status = git.status("work/app")
    assert (status.upstream, status.branch_published) == ("origin/topic", True)


def test_typed_git_errors(sandbox):
    git, fs = sandbox.git, sandbox.fs
    with pytest.raises(DaytonaGitRepoNotFoundError):
        git.clone(f"{BASE}/missing.git", "missing")
    with pytest.raises(DaytonaGitRepoNotFoundError):
        git.status("not-a-repo-dir")
    with pytest.raises(DaytonaGitBranchNotFoundError):
        git.clone(f"{BASE}/open.git", "nobranch", branch="nope")
    with pytest.raises(DaytonaGitTransportFailedError):
        git.clone("http://127.0.0.1:9/none.git", "closed-port")

    # Rejected push (non-fast-forward) and a dirty worktree on pull.
    git.clone(f"{BASE}/open.git", "e/a")
    git.clone(f"{BASE}/open.git", "e/b")
    fs.upload_file(b"a\n", "e/a/clash.txt")
    git.add("e/a", ["."])
    git.commit("e/a", "a", "A", "a@example.org")
    git.push("e/a")
    fs.upload_file(b"b\n", "e/b/other-file.txt")
    git.add("e/b", ["."])
    git.commit("e/b", "b", "B", "b@example.org")
    with pytest.raises(DaytonaGitPushRejectedError):
        git.push("e/b")
    fs.upload_file(b"local edit\n", "e/b/clash.txt")
    # A pull that merges writes a merge commit: git needs an identity for it.
    git.configure_user("B", "b@example.org", scope="local", path="e/b")
    with pytest.raises(DaytonaGitDirtyWorktreeError):
        git.pull("e/b")

    # A server-side hook refusing the push.
    git.clone(f"{BASE}/open.git", "e/locked")
    git.remote_add("e/locked", "locked", f"{BASE}/locked.git")
    with pytest.raises(DaytonaGitRemoteRejectedError) as refused:
        git.push("e/locked", remote="locked", branch="main")
    assert "locked by policy" in str(refused.value)


def test_clone_options_branch_depth_commit(sandbox):
    git = sandbox.git
    git.clone(f"{BASE}/open.git", "opts/dev", branch="dev", depth=1)
    assert git.status("opts/dev").current_branch == "dev"
    assert sh(sandbox, "git -C opts/dev rev-list --count HEAD").strip() == "1"
    first = sh(sandbox, "git -C seed rev-list --max-parents=0 HEAD").strip()
    git.clone(f"{BASE}/open.git", "opts/at", commit_id=first)
    status = git.status("opts/at")
    assert (status.current_branch, status.detached) == ("HEAD", True)
    assert sh(sandbox, "git -C opts/at rev-parse HEAD").strip() == first


def test_init_remotes_config_reset_restore_and_stored_credentials(sandbox):
    git, fs = sandbox.git, sandbox.fs
    git.init("local/repo", initial_branch="trunk")
    assert git.status("local/repo").current_branch == "trunk"
    git.init("local/bare.git", bare=True)
    assert sh(sandbox, "git -C local/bare.git rev-parse --is-bare-repository").strip() == "true"

    git.remote_add("local/repo", "origin", f"{BASE}/open.git")
    with pytest.raises(DaytonaError):
        git.remote_add("local/repo", "origin", f"{BASE}/other.git")
    git.remote_add("local/repo", "origin", f"{BASE}/open.git", fetch=True, overwrite=True)
    assert [(r.name, r.url) for r in git.remotes("local/repo").remotes] == [("origin", f"{BASE}/open.git")]
    assert git.remote_get("local/repo", "origin") == f"{BASE}/open.git"
    assert git.remote_get("local/repo", "nope") is None
    assert "origin/dev" in sh(sandbox, "git -C local/repo branch -r")

    git.configure_user("Repo User", "repo@example.org", scope="local", path="local/repo")
    assert git.get_config("user.name", scope="local", path="local/repo") == "Repo User"
    git.set_config("core.editor", "--not-an-option", scope="local", path="local/repo")
    assert git.get_config("core.editor", scope="local", path="local/repo") == "--not-an-option"
    assert git.get_config("no.such-key") is None
    with pytest.raises(DaytonaError):
        git.get_config("user.name", scope="local")  # local needs a path

    fs.upload_file(b"one\n", "local/repo/f.txt")
    git.add("local/repo", ["f.txt"])
    git.commit("local/repo", "one", "Repo User", "repo@example.org")
    fs.upload_file(b"two\n", "local/repo/f.txt")
    git.add("local/repo", ["f.txt"])
    git.restore("local/repo", ["f.txt"], staged=True)
    assert {f.name: (f.staging, f.worktree) for f in git.status("local/repo").file_status} == {"f.txt": ("Unmodified", "Modified")}
    git.restore("local/repo", ["f.txt"])
    assert fs.download_file("local/repo/f.txt") == b"one\n"
    fs.upload_file(b"three\n", "local/repo/f.txt")
    git.add("local/repo", ["."])
    git.reset("local/repo")
    assert {f.name: f.staging for f in git.status("local/repo").file_status} == {"f.txt": "Unmodified"}
    git.reset("local/repo", mode="hard")
    assert git.status("local/repo").file_status == []

    # Stored credentials (the user asked for them to be kept): clones need none afterwards.
    git.dangerously_authenticate(USER, PASSWORD, host=f"127.0.0.1:{PORT}", protocol="http")
    git.clone(f"{BASE}/private/app.git", "stored/app")
    assert sandbox.fs.download_file("stored/app/README.md") == b"hello\n"
    sh(sandbox, "rm -f ~/.git-credentials && git config --global --unset-all credential.helper")
