"""``spikedesk serve`` under hostile conditions (issue 14): a broken file in the projects
folder, requests for another Host (DNS rebinding), the token, interrupted saves, permissions."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest
import tornado.httpclient
import tornado.testing
import tornado.web
from spikedesk.app import guard
from spikedesk.app.page import first_project
from spikedesk.app.store import ProjectStore
from spikedesk.project_files import examples_dir, io


def brunel():
    return io.load(examples_dir() / "brunel.json")


# ------------------------------------------------------------------ broken files in the store


def test_a_broken_file_is_listed_with_its_problem_and_never_opened(tmp_path):
    store = ProjectStore(tmp_path)
    store.create(brunel(), "good")
    time.sleep(0.01)
    (tmp_path / "broken.json").write_text('{"format": "spikedesk-project", "version": 1,,}')
    assert sorted(store.names()) == ["broken", "good"]
    broken = store.broken()
    assert list(broken) == ["broken"] and "invalid JSON" in broken["broken"]
    assert store.problem("good") is None
    # the newest file is the broken one: a new session opens the good one instead
    assert store.entries()[0].name == "broken"
    assert first_project(store, None, None) == "good"
    assert first_project(store, "broken", None) == "good"


def test_only_broken_files_give_a_fresh_example(tmp_path):
    (tmp_path / "a.json").write_text("[1, 2")
    unknown_model = {"format": "spikedesk-project", "version": 1,
                     "nodes": [{"id": "x", "model": "nope"}]}  # fmt: skip
    (tmp_path / "b.json").write_text(json.dumps(unknown_model))
    store = ProjectStore(tmp_path)
    name = first_project(store, None, None)
    assert store.problem(name) is None and set(store.broken()) == {"a", "b"}


def test_the_manager_lists_broken_files_and_refuses_to_open_them(tmp_path):
    pytest.importorskip("panel")
    from spikedesk.app.manager import ProjectManager
    from spikedesk.app.session import ProjectSession

    store = ProjectStore(tmp_path)
    store.create(brunel(), "good")
    (tmp_path / "broken.json").write_text("{")
    session = ProjectSession(store, "good")
    manager = ProjectManager(session)
    assert manager.projects.options == {"broken (broken)": "broken", "good": "good"}
    manager.projects.value = "broken"
    assert session.project_name == "good" and manager.projects.value == "good"
    assert manager.message.visible and "Cannot open broken" in manager.message.object


# ------------------------------------------------------------------ files on disk


def test_orphan_temp_files_of_interrupted_saves_are_removed(tmp_path):
    old = tmp_path / ".good.json.abc123.tmp"
    young = tmp_path / ".good.json.def456.tmp"
    other = tmp_path / ".notes.tmp"
    for path in (old, young, other):
        path.write_text("{")
    past = time.time() - 3600
    os.utime(old, (past, past))
    ProjectStore(tmp_path)
    assert not old.exists() and young.exists() and other.exists()


def test_saved_files_follow_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        io.save(brunel(), tmp_path / "a.json")
        assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644
        os.umask(0o077)
        io.save(brunel(), tmp_path / "b.json")
        assert stat.S_IMODE((tmp_path / "b.json").stat().st_mode) == 0o600
        os.chmod(tmp_path / "a.json", 0o640)
        io.save(brunel(), tmp_path / "a.json")  # a replaced file keeps its mode
        assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o640
    finally:
        os.umask(previous)


def test_the_folder_is_fsynced_after_the_rename(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(
        os, "fsync", lambda fd: (synced.append(os.readlink(f"/proc/self/fd/{fd}")), real(fd))
    )  # noqa: E501
    io.save(brunel(), tmp_path / "a.json")
    assert synced[-1] == str(tmp_path)
    assert not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------ Host header and token


class Hello(tornado.web.RequestHandler):
    def get(self):
        self.write("hello")


class GuardTest(tornado.testing.AsyncHTTPTestCase):
    token: str | None = None

    def get_app(self):
        app = tornado.web.Application([(r"/.*", Hello)])
        self.hosts = guard.allowed_hosts("127.0.0.1", self.get_http_port())
        guard.protect(app, self.hosts, self.token)
        return app

    def ask(self, path="/", host=None, **kwargs):
        headers = kwargs.pop("headers", {})
        headers["Host"] = host or f"127.0.0.1:{self.get_http_port()}"
        return self.fetch(path, headers=headers, follow_redirects=False, **kwargs)


class TestHost(GuardTest):
    def test_the_served_address_and_localhost_are_answered(self):
        port = self.get_http_port()
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
            assert self.ask(host=host).body == b"hello", host

    def test_another_host_is_refused(self):
        port = self.get_http_port()
        for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1:{port + 1}"):
            response = self.ask(host=host)
            assert response.code == 403, host
            assert b"answers to" in response.body


class TestToken(GuardTest):
    token = "s3cret"

    def test_no_token_is_refused(self):
        assert self.ask().code == 401
        assert self.ask("/?token=wrong").code == 401
        assert self.ask(headers={"Cookie": f"{guard.COOKIE}=wrong"}).code == 401

    def test_token_in_the_url_sets_a_cookie_and_leaves_the_url(self):
        response = self.ask("/?token=s3cret&project=brunel")
        assert response.code == 302
        assert response.headers["Location"] == "/?project=brunel"
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith(f"{guard.COOKIE}=s3cret") and "HttpOnly" in cookie
        ok = self.ask("/?project=brunel", headers={"Cookie": f"{guard.COOKIE}=s3cret"})
        assert ok.code == 200 and ok.body == b"hello"

    def test_bearer_header(self):
        assert self.ask(headers={"Authorization": "Bearer s3cret"}).body == b"hello"

    def test_a_foreign_host_is_refused_even_with_the_token(self):
        response = self.ask(host="evil.example", headers={"Authorization": "Bearer s3cret"})
        assert response.code == 403


def test_hosts_for_every_interface_and_extra_names():
    import socket

    hosts = guard.allowed_hosts("0.0.0.0", 8000, ("studio.example.org",))
    assert {"localhost:8000", "studio.example.org:8000"} <= hosts
    assert f"{socket.gethostname().lower()}:8000" in hosts
    assert "evil.example:8000" not in hosts
    assert guard.allowed_hosts("::1", 8000) >= {"[::1]:8000", "localhost:8000"}


def test_loopback_addresses():
    assert guard.loopback("127.0.0.1") and guard.loopback("::1") and guard.loopback("localhost")
    assert not guard.loopback("0.0.0.0") and not guard.loopback("192.168.1.2")


def test_serve_refuses_a_public_address_without_token(capsys):
    from spikedesk.app.cli import main

    assert main(["serve", "--address", "0.0.0.0", "--port", "5999"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("spikedesk: error: --address 0.0.0.0:") and "--token" in err


def test_serve_with_a_token_and_a_broken_file(tmp_path):
    """The real server: the guard is in front of the app, and a broken file in the
    projects folder does not break the page."""
    import http.client
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = tmp_path / "projects"
    store.mkdir()
    io.save(brunel(), store / "good.json")
    (store / "zz broken.json").write_text("{")
    exe = Path(sys.executable).parent / "spikedesk"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--projects", str(store), "--token", "tok"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip

    def get(path, host=f"127.0.0.1:{port}", cookie=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Host": host, **({"Cookie": cookie} if cookie else {})}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, response.getheader("Set-Cookie"), body

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, _ = get("/")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert status == 401
        assert get("/", host=f"evil.example:{port}")[0] == 403
        status, cookie, _ = get("/?token=tok")
        assert status == 302 and cookie.startswith(f"{guard.COOKIE}=tok")
        status, _, page = get("/", cookie=f"{guard.COOKIE}=tok")
        assert status == 200 and "Traceback" not in page
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert "Traceback" not in out, out
    assert "?token=tok" in out


@pytest.mark.parametrize(
    "data", [b"[" * 100_000 + b"]" * 100_000, b'{"a": ' + b"9" * 5000 + b"}", b"\xff\xfe"]
)
def test_hostile_uploads_are_project_errors(tmp_path, data):
    from spikedesk.project_files.validation import ProjectError

    with pytest.raises(ProjectError):
        ProjectStore(tmp_path).import_file("up.json", data)
    assert not list(tmp_path.glob("*.json"))


def test_an_importer_bug_is_a_message_not_a_broken_page(tmp_path, monkeypatch):
    from spikedesk.app import store as store_module
    from spikedesk.app.manager import ProjectManager
    from spikedesk.app.session import ProjectSession

    store = ProjectStore(tmp_path)
    store.create(brunel(), "good")
    manager = ProjectManager(ProjectSession(store, "good"))

    def buggy(data, source):
        raise TypeError("float() argument must be a string or a real number, not 'dict'")

    monkeypatch.setattr(store_module.nest_desktop, "import_data", buggy)
    manager.upload.filename = "nd.json"
    manager.upload.value = b'{"networks": 5}'
    assert manager.message.visible and "Cannot import nd.json" in manager.message.object
