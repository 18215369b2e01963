"""Random and hostile strings: every one ends 0, 1 or 2, cleanly, within seconds.

The default run fuzzes fewer examples and calls the CLI in-process; the
full-size fuzzing and the real subprocesses are marked ``exhaustive``.
"""
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from symderiv.cli import main
from symderiv.engine.network import NetFlags
from symderiv.verify import verify
from sampling import EXHAUSTIVE

PIECES = [r"\delta", "^{(l)}", "^{(L)}", "_{ij}", "_i", "W", "a", "z", "y", "b", "x", "J", "=", "+", "-", r"\odot",
          r"\frac{", r"\partial", "}{", "}", "{", "(", ")", "^T", "'", r"\sigma", "f'", r"\sum_{j=1}^{m}", "1", "2",
          r"\left(", r"\right)", r"\mathbf{1}", " ", r"\end{document}", "__import__", "\x00", "é", "∂", "^", "_"]

HOSTILE = ["{" * 5000, "(" * 3000 + ")" * 3000, "x" * 10000, "__import__('os').system('echo hi')",
           r"\end{document}", "\x00", "a = b\x00", r"\input{/etc/passwd}", r"\def\x{1}", "ñ = ü",
           r"\frac{\partial J}{\partial W^{(9999999999999)}} = 0", "= = =", r"\sum_{j=1}^{99999999} j = 0",
           r"\delta^{(L)} = " + r"\left(" * 30 + "a^{(L)}" + r"\right)" * 30 + " - y",
           r"J = " + " + ".join(["a^{(L)}"] * 600)]


def run(text):
    v = verify(text, NetFlags(batch=True))
    assert v.verdict in ("correct", "incorrect", "unverifiable")
    assert v.exit_code in (0, 1, 2)
    assert "\n" not in v.reason
    return v


TOKEN_SOUP = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
ANY_TEXT = st.text(max_size=200)


# The default run fuzzes a quarter as many examples; the full-size runs are marked exhaustive.
@settings(max_examples=30, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(TOKEN_SOUP)
def test_random_token_soup(text):
    run(text)


@settings(max_examples=15, deadline=5000)
@given(ANY_TEXT)
def test_random_text(text):
    run(text)


@EXHAUSTIVE
@settings(max_examples=120, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(TOKEN_SOUP)
def test_random_token_soup_full_size(text):
    run(text)


@EXHAUSTIVE
@settings(max_examples=60, deadline=5000)
@given(ANY_TEXT)
def test_random_text_full_size(text):
    run(text)


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile{k}" for k in range(len(HOSTILE))])
def test_hostile_strings_api(text):
    v = run(text)
    assert v.verdict != "correct" or text.startswith(r"\delta")


def cli_in_process(text, capfd):
    """(exit code, stdout, stderr) of ``symderiv verify TEXT`` run by ``cli.main``; capfd also sees child processes."""
    code = main(["verify", text])
    out, err = capfd.readouterr()
    return code, out, err


def cli_subprocess(text, capfd):
    """The same through a fresh interpreter (about a second of imports each, so exhaustive only)."""
    p = subprocess.run([sys.executable, "-m", "symderiv", "verify", text], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("runner", [pytest.param(cli_in_process, id="in-process"),
                                    pytest.param(cli_subprocess, id="subprocess", marks=EXHAUSTIVE)])
@pytest.mark.parametrize("text", ["{" * 5000, "__import__('os').system('echo hi')", "a\x01b"], ids=["braces", "import", "ctrl"])
def test_hostile_strings_cli(text, runner, capfd):
    code, out, err = runner(text, capfd)
    assert code == 2
    assert "Traceback" not in err and "hi\n" not in out
    assert len(err.strip().splitlines()[-1]) < 300


# ---- the report path: random note text through the .tex generator ----------------------

import re  # noqa: E402


from symderiv.report import tex  # noqa: E402
from symderiv.documents.claims import Result  # noqa: E402
from symderiv.documents.model import Document  # noqa: E402
from symderiv.report.report import note_latex  # noqa: E402

# Written out independently of tex.FORBIDDEN, so a gap in that list fails here.
DANGEROUS = set("input include write immediate openin openout read catcode def edef gdef xdef let csname "
                "newcommand renewcommand usepackage special directlua scantokens expandafter endinput "
                "jobname".split())
_TOKEN = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)  # as TeX reads them: a double backslash is one token


def dangerous(text: str):
    """The first forbidden command TeX would read in ``text``, or None."""
    return next((name for name in _TOKEN.findall(text) if name in DANGEROUS), None)
TEX_PIECES = PIECES + [r"\input{/etc/hostname}", r"\immediate", r"\write18{touch pwned}", "^^5c", "^^", "%", "#",
                       "$", "&", "~", r"\\", "\\", r"\catcode`\^=7", r"\csname input\endcsname", r"\def\x",
                       r"\begin{cases}", r"\end{document}", r"\text{", "\n\n", r"a_{", r"\unknowncommand"]
tex_text = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(TEX_PIECES), max_size=12).map("".join))


def _body(latex: str) -> str:
    return latex[latex.index("\\begin{document}"):]


def _unescaped_braces_balance(body: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", body, re.DOTALL):
        depth += {"{": 1, "}": -1}.get(match.group(0), 0)
        if depth < 0:
            return False
    return depth == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=tex_text, rid=tex_text, source=tex_text, link=tex_text, reason=tex_text, corrected=tex_text,
       cex=tex_text)
def test_random_note_text_never_puts_a_command_into_the_report(model, rid, source, link, reason, corrected, cex):
    note = Document(id="999", title="t", model=model, flags=NetFlags(), readings={}, entries=[], source="t.md")
    results = [Result(rid, source, link, "incorrect", reason, corrected, [], {"x": cex}),
               Result("2", source, source, "unverifiable", reason)]
    latex = note_latex(note, results)
    body = _body(latex)
    assert dangerous(body) is None
    assert "^^" not in body
    assert _unescaped_braces_balance(body)
    tex.audit_document(latex)


@settings(max_examples=200, deadline=None)
@given(tex_text)
def test_escaped_text_and_displayed_maths_hold_no_dangerous_command(text):
    for shown in (tex.escape_text(text), tex.display(text)):
        assert dangerous(shown) is None and "^^" not in shown
        assert _unescaped_braces_balance(shown)


from symderiv.documents.model import Entry  # noqa: E402
from symderiv.report.corrected import corrected_latex, corrected_markdown  # noqa: E402


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=tex_text, link=tex_text, corrected=tex_text, title=tex_text)
def test_random_note_text_never_puts_a_command_into_the_corrected_copy(source, link, corrected, title):
    # the corrected copy highlights a diff of the note's line and its correction: still only safe maths
    note = Document(id="999", title=title, model="m", flags=NetFlags(), readings={},
                    entries=[Entry("e", source), Entry("f", "x = y")], source="t.md")
    results = [Result("e", source, link, "incorrect", "r", corrected), Result("f", "x = y", "x = y", "unverifiable", "r")]
    latex = corrected_latex(note, results)
    body = _body(latex)
    assert dangerous(body) is None and "^^" not in body
    assert _unescaped_braces_balance(body)
    tex.audit_document(latex)
    has_fix = bool(corrected.strip())
    assert corrected_markdown(note, results).count("> **corrected**") == (1 if has_fix else 0)


# ---- macros (notation/macros.py): bombs, loops and huge expansions end cleanly and quickly --------------
import time  # noqa: E402

from symderiv.notation.macros import MAX_CHARS, definitions, expand  # noqa: E402
from symderiv.notation.tokens import NotationError  # noqa: E402

MACRO_PIECES = [r"\def", r"\gdef", r"\let", r"\newcommand", r"\renewcommand", r"\DeclareMathOperator", r"\a", r"\b",
                r"\c", "{", "}", "[", "]", "1", "2", "#1", "#2", "##", "=", " ", r"\a\a", r"{\a}", r"{\b\b\b}", "x",
                r"\sigma", "^", "_", r"\frac"]
MACRO_BOMBS = [r"\def\a{\a}\a", r"\def\a{\a\a}\a", r"\let\a\a\a", r"\def\a#1{\a{#1#1}}\a{x}",
               r"\newcommand{\a}[1]{#1#1#1#1#1#1#1#1}\a{\a{\a{\a{\a{\a{\a{x}}}}}}}",
               r"\def\a{\b}\def\b{\a}\a", "\\def\\a{" + "x" * 3990 + "}" + r"\a" * 50]


@settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(MACRO_PIECES), max_size=30).map("".join))
def test_random_macro_soup_expands_or_is_one_macro_error(text):
    started = time.monotonic()
    try:
        out = expand(text, definitions(text)[0])
        assert len(out) <= MAX_CHARS
    except NotationError as exc:
        assert "\n" not in exc.one_line()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("bomb", MACRO_BOMBS)
def test_macro_bombs_in_a_document_end_0_1_or_2_within_seconds(tmp_path, capsys, bomb):
    f = tmp_path / "bomb.md"
    f.write_text(f"$$ {bomb} = y $$\n\n$$ \\delta^{{(2)}} = a^{{(2)}} - y $$\n")
    started = time.monotonic()
    code = main(["check", str(f)])
    assert code in (0, 1, 2) and time.monotonic() - started < 30
    out, err = capsys.readouterr()
    assert err.count("\n") <= 1 and "Traceback" not in out + err
    if code != 2:
        assert "[L3] CORRECT" in out          # the other line keeps its verdict
