"""The sandbox every submission runs in (course_tools.sandbox): each attack a test that fails
without the isolation. bubblewrap is required (tasks.py installs it); nothing is skipped."""
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from course_tools import sandbox as sb

ROOT = Path(__file__).resolve().parents[1]
UID = 61900


@pytest.fixture
def box(tmp_path):
    def make(name="a", uid=UID, **kwargs):
        work = tmp_path / name
        work.mkdir()
        os.chmod(tmp_path, 0o755)
        s = sb.Sandbox(work, uid=uid, **kwargs)
        s.prepare()
        made.append(s)
        return s
    made = []
    yield make
    for s in made:
        s.kill_all()


def run(s, code, timeout=60):
    return subprocess.run(s.command([sys.executable, "-c", textwrap.dedent(code)]),
                          capture_output=True, text=True, timeout=timeout, **s.popen_kwargs())


def test_available_here():
    sb.check_available()


def test_unavailable_without_bwrap(monkeypatch):
    monkeypatch.setattr(sb.shutil, "which", lambda name: None)
    with pytest.raises(sb.SandboxUnavailable, match="apt install bubblewrap"):
        sb.check_available()


def test_runs_as_its_own_uid_and_imports_the_package(box):
    r = run(box(), "import os, cnn_utils, numpy; print(os.getresuid())")
    assert r.returncode == 0, r.stderr
    if os.geteuid() == 0:
        assert r.stdout.strip() == f"({UID}, {UID}, {UID})"


def test_cannot_read_a_root_only_file(box, tmp_path):
    if os.geteuid() != 0:
        pytest.fail("run as root: the per-submission uid is what this checks")
    secret = tmp_path / "a" / "key.txt"
    s = box()
    secret.write_text("solution")
    os.chown(secret, 0, 0)
    os.chmod(secret, 0o600)
    r = run(s, f"open({str(secret)!r}).read()")
    assert r.returncode != 0 and "PermissionError" in r.stderr


def test_sees_neither_the_book_nor_another_workdir(box):
    a, b = box("a"), box("b", uid=UID + 1)
    (b.workdir / "theirs.ipynb").write_text("{}")
    r = run(a, f"""
        import os
        print(os.path.exists({str(ROOT / 'book')!r}), os.path.exists({str(b.workdir)!r}),
              os.path.exists('/root/.bashrc'), os.path.exists({str(ROOT / 'tasks.py')!r}))""")
    assert r.stdout.split() == ["False"] * 4, r.stderr


def test_the_package_and_the_venv_are_read_only(box):
    pkg = sb.package_dir()
    r = run(box(), f"""
        import sys
        for p in ({str(pkg / 'evil.py')!r}, sys.prefix + '/evil.pth', '/usr/evil'):
            try:
                open(p, 'w').write('x'); print('wrote', p)
            except OSError as e:
                print('refused')""")
    assert r.stdout.split() == ["refused"] * 3, r.stdout + r.stderr
    assert not (pkg / "evil.py").exists()


def test_tmp_is_private(box):
    name = f"/tmp/sandbox-test-{os.getpid()}"
    r = run(box(), f"open({name!r}, 'w').write('x'); print('ok')")
    assert r.stdout.strip() == "ok" and not Path(name).exists()


def test_no_network(box):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    r = run(box(), f"""
        import socket
        try:
            socket.create_connection(('127.0.0.1', {port}), timeout=2); print('connected')
        except OSError:
            print('refused')""")
    server.close()
    assert r.stdout.strip() == "refused", r.stderr


def test_only_the_minimal_environment(box, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_SECRET", "hunter2")
    r = run(box(env={"OMP_NUM_THREADS": "1"}), "import os; print(sorted(os.environ))")
    names = eval(r.stdout)
    assert "INSTRUCTOR_SECRET" not in names and "OMP_NUM_THREADS" in names
    assert set(names) <= set(sb.minimal_env("/x")) | {"OMP_NUM_THREADS", "PWD"}


def test_proc_shows_only_its_own_processes(box):
    r = run(box(), f"""
        import os
        print(os.path.exists('/proc/{os.getpid()}'), len([p for p in os.listdir('/proc') if p.isdigit()]))
        try:
            os.kill(os.getppid(), 9)
        except OSError:
            pass""")
    seen, count = r.stdout.split()
    assert seen == "False" and int(count) <= 3, r.stderr   # init (bwrap or setpriv's python) and itself


def test_a_fork_bomb_stops(box):
    limits = sb.Limits(memory_bytes=sb.GiB, processes=64, cpu_seconds=20, file_bytes=sb.MiB,
                       open_files=256)
    start = time.monotonic()
    r = run(box(limits=limits), """
        import os
        n = 0
        for _ in range(10000):
            try:
                if os.fork() == 0:
                    import time; time.sleep(30); os._exit(0)
                n += 1
            except OSError:
                print('stopped', n); break""", timeout=30)
    assert r.stdout.startswith("stopped"), r.stdout + r.stderr
    assert time.monotonic() - start < 10


def test_a_200_mb_file_fails(box):
    r = run(box(), """
        try:
            with open('big', 'wb') as f:
                for _ in range(200):
                    f.write(b'x' * 2**20)
            print('wrote')
        except OSError as e:
            print('refused', e.errno)""")
    assert r.stdout.startswith("refused") or r.returncode == -25, r.stdout + r.stderr   # EFBIG / SIGXFSZ


def test_a_cpu_loop_is_stopped(box):
    limits = sb.Limits(memory_bytes=sb.GiB, processes=64, cpu_seconds=1, file_bytes=sb.MiB,
                       open_files=256)
    start = time.monotonic()
    r = run(box(limits=limits), "while True: pass", timeout=30)
    assert r.returncode != 0 and time.monotonic() - start < 15


def test_a_detached_child_is_killed(box):
    s = box()
    marker = s.workdir / "alive"
    code = f"""
        import os, signal, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                time.sleep(2)
                open({str(marker)!r}, 'w').write('still here')
            os._exit(0)
        print('parent done')"""
    proc = subprocess.Popen(s.command([sys.executable, "-c", textwrap.dedent(code)]),
                            stdout=subprocess.PIPE, text=True, **s.popen_kwargs())
    assert proc.stdout.readline().strip() == "parent done"
    s.kill_all()
    proc.wait(5)
    time.sleep(3)
    assert not marker.exists()


def test_a_unix_socket_in_workdir_connects_from_outside(box):
    s = box()
    path = s.workdir / "kernel.sock"
    proc = subprocess.Popen(s.command([sys.executable, "-c", textwrap.dedent(f"""
        import socket
        srv = socket.socket(socket.AF_UNIX); srv.bind({str(path)!r}); srv.listen(); print('up', flush=True)
        conn, _ = srv.accept(); conn.sendall(b'hello')""")]),
        stdout=subprocess.PIPE, text=True, **s.popen_kwargs())
    assert proc.stdout.readline().strip() == "up"
    client = socket.socket(socket.AF_UNIX)
    client.connect(str(path))
    assert client.recv(5) == b"hello"
    client.close()
    proc.wait(10)


def test_unsafe_command_has_a_minimal_env(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_SECRET", "hunter2")
    r = subprocess.run(sb.unsafe_command([sys.executable, "-c", "import os; print(sorted(os.environ))"],
                                         tmp_path, {"X": "1"}), capture_output=True, text=True)
    assert "INSTRUCTOR_SECRET" not in r.stdout and "'X'" in r.stdout


def test_a_jupyter_kernel_inside_answers_over_ipc(box):
    from jupyter_client import KernelManager
    s = box()

    class Manager(KernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return s.command([sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file])

    km = Manager(transport="ipc", ip=str(s.workdir / "k"), connection_file=str(s.workdir / "k.json"))
    km.write_connection_file()
    s.prepare()
    km.start_kernel(**s.popen_kwargs())
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive("import os; x = os.getuid()", user_expressions={"x": "x"},
                                       timeout=60)
        assert reply["content"]["status"] == "ok"
        if os.geteuid() == 0:
            assert reply["content"]["user_expressions"]["x"]["data"]["text/plain"] == str(UID)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        s.kill_all()


@pytest.mark.skipif(os.geteuid() != 0, reason="uids are claimed only when the grader is root")
def test_claimed_uids_are_never_shared_at_the_same_time(tmp_path):
    # Two grading runs at once (two workers, two test files) used to give their first submissions
    # the same uid, and one sandbox's kill_all killed the other's kernel.
    from course_tools.sandbox import UID_RANGE, claimed_uid

    with claimed_uid(tmp_path) as first, claimed_uid(tmp_path) as second:
        assert first in UID_RANGE and second in UID_RANGE and first != second
        held = first
    with claimed_uid(tmp_path) as again:      # released at the end of the block
        assert again in UID_RANGE
    script = ("import sys\nfrom pathlib import Path\nfrom course_tools.sandbox import claimed_uid\n"
              "with claimed_uid(Path(sys.argv[1])) as uid: print(uid)\n")
    with claimed_uid(tmp_path) as mine:
        others = {int(subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True,
                                     capture_output=True, text=True, cwd=ROOT).stdout)
                  for _ in range(5)}
        assert mine not in others              # another process never gets a uid held here
    assert held in UID_RANGE


def test_sees_the_offline_data_and_the_cifar10_cache_read_only(box, tmp_path, monkeypatch):
    """Chapters 10-12 load CIFAR-10 inside the sandbox: the archive and the instructor's decoded
    cache are visible (read-only), so a submission neither downloads nor decodes it again."""
    archive, cache = tmp_path / "data" / "cifar.tar.gz", tmp_path / "cache"
    archive.parent.mkdir()
    archive.write_bytes(b"archive")
    (cache / "cifar10-x").mkdir(parents=True)
    (cache / "cifar10-x" / "x_test.npy").write_bytes(b"npy")
    for folder in (tmp_path, archive.parent, cache, cache / "cifar10-x"):
        os.chmod(folder, 0o755)
    monkeypatch.setenv("CNN_UTILS_CIFAR10_PATH", str(archive))
    monkeypatch.setenv("CNN_UTILS_CACHE_DIR", str(cache))
    r = run(box(), """
        import os
        from pathlib import Path
        archive, cache = os.environ["CNN_UTILS_CIFAR10_PATH"], os.environ["CNN_UTILS_CACHE_DIR"]
        print(Path(archive).read_bytes(), (Path(cache) / "cifar10-x" / "x_test.npy").read_bytes())
        try:
            (Path(cache) / "new").write_text("x")
            print("cache writable")
        except OSError:
            print("cache read-only")
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[:2] == ["b'archive' b'npy'", "cache read-only"]
