"""Output files (files.py, report.py): atomic, never through a symlink, never over foreign files."""
import os
import shutil
import subprocess
import sys

import pytest

from sampling import EXHAUSTIVE

from symderiv.report import files

# Run from another folder, the subprocess must still import this checkout's symderiv.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "symderiv", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=ENV)


def one_line(run) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    return lines[0]


# ---- symlinks ---------------------------------------------------------------------

def test_a_symlinked_report_file_is_refused_and_its_target_untouched(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / "note004.tex").symlink_to(victim)
    files.write_atomic(out / files.MANIFEST, "note004.tex\n")  # even a file symderiv wrote before
    run = cli("report", "004", "--out", str(out))
    assert run.returncode == 2
    assert "symbolic link" in one_line(run) and "note004.tex" in run.stderr
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in out.iterdir()) == [files.MANIFEST, "note004.tex"]  # nothing else written


def test_write_atomic_refuses_a_symlink_and_a_symlinked_folder(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "link.txt"
    link.symlink_to(victim)
    with pytest.raises(files.OutputError, match="symbolic link"):
        files.write_atomic(link, "new")
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    with pytest.raises(files.OutputError, match="symbolic link"):
        files.claim_folder(tmp_path / "alias", ["a.tex"])
    assert victim.read_text() == "precious" and list((tmp_path / "real").iterdir()) == []


# ---- foreign files, the manifest, --force ----------------------------------------------

def test_a_folder_with_foreign_files_is_refused_unless_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("mine")
    with pytest.raises(files.OutputError, match=r"thesis\.tex.*--force"):
        files.claim_folder(out, ["note000.tex"])
    files.claim_folder(out, ["note000.tex"], force=True)
    assert files.read_manifest(out) == {"note000.tex"}  # the foreign file is not adopted
    assert (out / "thesis.tex").read_text() == "mine"
    with pytest.raises(files.OutputError):
        files.claim_folder(out, ["note000.tex"])  # still foreign next time


def test_cli_refuses_foreign_files_in_one_line_and_accepts_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    run = cli("report", "004", "--out", str(out))
    assert run.returncode == 2 and "--force" in one_line(run)
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    run = cli("report", "004", "--out", str(out), "--force")
    assert run.returncode == 0, run.stderr
    assert (out / "notes.txt").read_text() == "mine" and (out / "note004.md").exists()


@EXHAUSTIVE         # two report runs in fresh interpreters; CI also runs the quick start itself
def test_the_readme_quick_start_folder_works_twice(tmp_path):
    for _ in range(2):
        run = cli("report", "004", "--out", "reports", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert names == [files.MANIFEST, "note004-corrected.md", "note004-corrected.tex", "note004.md", "note004.tex"]
    assert files.read_manifest(tmp_path / "reports") == set(names[1:])


def test_claim_folder_grows_the_manifest_and_refuses_path_names(tmp_path):
    files.claim_folder(tmp_path / "o", ["a.tex"])
    files.claim_folder(tmp_path / "o", ["b.md"])
    assert files.read_manifest(tmp_path / "o") == {"a.tex", "b.md"}
    for bad in ["../x.tex", "sub/x.tex", files.MANIFEST, ".."]:
        with pytest.raises(files.OutputError, match="plain file name"):
            files.claim_folder(tmp_path / "o", [bad])


# ---- bad --out ---------------------------------------------------------------------------

def test_out_that_is_a_file_exits_2_in_one_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    run = cli("report", "004", "--out", str(tmp_path / "afile"))
    assert run.returncode == 2 and "is not a folder" in one_line(run)


def test_unwritable_folder_exits_2_in_one_line(tmp_path):
    if os.geteuid() == 0:
        folder = "/proc/1"  # root may write anywhere on disk, but not here
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
    run = cli("report", "004", "--out", str(folder))
    assert run.returncode == 2 and "cannot write to folder" in one_line(run)


def test_check_of_a_missing_note_file_is_an_error_not_the_builtin_note(tmp_path):
    run = cli("check", "/nonexistent/002.py")
    assert run.returncode == 2 and "no such file" in one_line(run)
    stray = tmp_path / "002.py"
    stray.write_text("NOTE_ID = '002'\n")
    run = cli("check", str(stray))
    assert run.returncode == 2 and "a document must end in .md" in one_line(run)


# ---- atomic writes, concurrency -------------------------------------------------------------

def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "note000.tex"
    target.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(files.OutputError, match="No space left on device"):
        files.write_atomic(target, "new" * 1000)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note000.tex"]


def test_write_atomic_replaces_the_file_and_makes_it_readable(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old")
    files.write_atomic(target, "new")
    assert target.read_text() == "new" and (target.stat().st_mode & 0o777) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


@EXHAUSTIVE         # about 10 s of pdflatex: CI runs it in the second step
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_four_concurrent_pdf_reports_into_one_folder_all_succeed(tmp_path):
    cmd = [sys.executable, "-m", "symderiv", "report", "004", "--pdf", "--out", "out"]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    out = tmp_path / "out"
    names = sorted(f"note004{kind}.{ext}" for kind in ("", "-corrected") for ext in ("md", "pdf", "tex"))
    assert sorted(p.name for p in out.iterdir()) == [files.MANIFEST] + names
    for pdf in (out / "note004.pdf").read_bytes(), (out / "note004-corrected.pdf").read_bytes():
        assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:]
    assert files.read_manifest(out) == set(names)
