"""TeX safety: what may go into a generated .tex, and compiling it with pdflatex in a sandbox.

Owns three things, for every document symderiv writes (reports today, user
documents with ``check FILE.tex`` later):

* ``escape_text``: prose (a note's model, a reason, an id) for LaTeX text mode;
  every TeX special character is escaped, control characters and characters
  pdflatex's default fonts cannot typeset become ``[U+XXXX]``.
* ``check_math`` / ``safe_math``: a piece of maths may be typeset as maths only
  if every command in it is on ``MATH_COMMANDS`` (an allow list of maths
  notation), every environment on ``MATH_ENVIRONMENTS``, its braces balance, and
  it holds none of the characters that change what TeX reads (``^^`` hex
  escapes, ``%``, ``#``, ``$``, control characters). ``FORBIDDEN`` (``\\input``,
  ``\\write``, ``\\catcode``, ``\\def`` ...) is refused by name as well, so the
  reason says which command it was. Maths that fails is shown as its escaped
  source instead (``display``).
* ``compile_pdf``: pdflatex in a private temporary folder (nothing from the
  output folder can be loaded: no planted ``geometry.sty``), with
  ``-no-shell-escape``, TeX's paranoid file access (``openin_any=p``,
  ``openout_any=p``: no absolute paths, no ``..``, no dot files), a time limit
  that kills the whole process group, and only the PDF handed back.

``audit_document`` is the last check before a document is written or compiled:
the body (after ``\\begin{document}``) must hold no forbidden command at all.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile

from ..errors import TeXError, UnsafeTeX  # noqa: F401 (re-exported)

PDFLATEX_PACKAGES = "texlive-latex-base texlive-latex-recommended"
COMPILE_SECONDS = 120.0


# Commands that read or write files, run programs, or redefine how TeX reads
# its input. Named so that the refusal can say which one it met.
FORBIDDEN = frozenset("""
    input include includeonly InputIfFileExists IfFileExists endinput write immediate openin openout read
    readline closein closeout newwrite newread special directlua latelua luaexec pdfprimitive catcode
    lccode uccode mathcode delcode sfcode def edef gdef xdef let futurelet csname endcsname expandafter
    noexpand newcommand renewcommand providecommand DeclareRobustCommand newenvironment renewenvironment
    usepackage RequirePackage documentclass LoadClass makeatletter makeatother scantokens everypar
    everymath everydisplay everyhbox everyvbox everyjob everyeof jobname shipout output outputpenalty
    loop repeat afterassignment aftergroup uppercase lowercase string detokenize meaning pdfobj pdfliteral
    pdffiletimestamp pdffilesize pdfmdfivesum pdffiledump pdfstrcmp pdfshellescape ShellEscape
    verbatiminput lstinputlisting includegraphics includepdf filecontents newtoks toks count dimen skip
    setbox global long outer protected errmessage message typeout batchmode nonstopmode scrollmode
    errorstopmode dump char chardef mathchardef countdef dimendef skipdef toksdef
""".split())

# Maths notation a note or a user's document may use (the notes' own commands
# among them). Anything else is shown as source, not typeset.
MATH_COMMANDS = frozenset("""
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi
    rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma
    Upsilon Phi Psi Omega ell hbar imath jmath partial nabla infty prime emptyset varnothing forall exists
    cdot times odot circ otimes oplus ominus ast star bullet div pm mp setminus cap cup wedge vee neg lnot
    sum prod int oint frac dfrac tfrac cfrac sqrt binom left right middle big Big bigg Bigg bigl bigr Bigl
    Bigr biggl biggr Biggl Biggr mathbf mathrm mathcal mathbb mathit mathsf mathtt mathfrak boldsymbol bm
    operatorname hat widehat tilde widetilde bar overline underline vec dot ddot check breve acute grave
    underbrace overbrace overset underset stackrel substack limits nolimits displaystyle textstyle
    scriptstyle scriptscriptstyle text textrm textbf textit textsf texttt mbox log ln lg exp max min
    argmax argmin sup inf lim limsup liminf det dim ker sin cos tan cot sec csc sinh cosh tanh coth arcsin
    arccos arctan arg deg gcd Pr leq geq le ge neq ne approx equiv sim simeq cong propto ll gg in notin ni
    subset subseteq supset supseteq to gets rightarrow leftarrow Rightarrow Leftarrow leftrightarrow
    Leftrightarrow longrightarrow longleftarrow Longrightarrow mapsto implies iff therefore because mid
    vert Vert lvert rvert lVert rVert langle rangle lfloor rfloor lceil rceil lbrack rbrack top bot
    intercal perp parallel dots ldots cdots vdots ddots quad qquad cancel checkmark surd not
    begin end
""".split())
MATH_ENVIRONMENTS = frozenset("matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix array aligned "
                              "gathered split cases".split())
# Single-character commands: spacing, escaped specials, delimiters.
MATH_SYMBOLS = frozenset(",;:! {}|%&#_$\\")

_COMMAND = re.compile(r"\\([A-Za-z@]+|.)", re.DOTALL)
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{([^{}]*)\}")
# An escaped special (\\%) is a command; a bare one comments out, takes a parameter or leaves maths.
_BARE_SPECIAL = re.compile(r"\\.|[%#$]", re.DOTALL)


def _unsafe_char(ch: str) -> bool:
    """Characters TeX cannot be trusted with in prose: controls, and beyond pdflatex's fonts."""
    code = ord(ch)
    return (code < 32 and ch not in "\n\t") or 0x7f <= code < 0xa0 or code > 0x17f


def escape_text(s: str) -> str:
    """Prose for LaTeX text mode: specials escaped, unprintable characters spelled as [U+XXXX].

    >>> print(escape_text(r"\\input{x} 50% a_1"))
    \\textbackslash{}input\\{x\\} 50\\% a\\_1
    """
    out = []
    for ch in str(s):
        if ch in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[ch])
        elif ch in "\n\t":
            out.append(" ")
        elif _unsafe_char(ch):
            out.append(f"[U+{ord(ch):04X}]")
        else:
            out.append(ch)
    return "".join(out)


_TEXT_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                  "^": r"\textasciicircum{}", "_": r"\_", "~": r"\textasciitilde{}", "%": r"\%",
                  # a few characters of maths prose that the default fonts lack
                  "\u2212": "-", "\u2013": "--", "\u2014": "---", "\u2026": r"\ldots{}", "\u2018": "`",
                  "\u2019": "'", "\u201c": "``", "\u201d": "''", "\u00b7": r"\textperiodcentered{}"}


def _balanced(latex: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", latex, re.DOTALL):
        depth += {"{": 1, "}": -1}.get(match.group(0), 0)
        if depth < 0:
            return False
    return depth == 0


# Longer maths is shown as (shortened) source: TeX's memory and a page both end somewhere.
MAX_MATH_CHARS = 20_000
MAX_VERBATIM_CHARS = 2_000


def check_math(latex: str) -> None:
    """Raise UnsafeTeX (naming the reason) unless ``latex`` is maths notation only."""
    if len(latex) > MAX_MATH_CHARS:
        raise UnsafeTeX(f"maths longer than {MAX_MATH_CHARS} characters")
    if "^^" in latex:  # TeX decodes ^^5c as a backslash before anything else sees it
        raise UnsafeTeX("^^ escapes are not allowed")
    bare = [m.group(0) for m in _BARE_SPECIAL.finditer(latex) if len(m.group(0)) == 1]
    if bare:
        raise UnsafeTeX(f"character {bare[0]!r} is not allowed in maths")
    if any(_unsafe_char(ch) for ch in latex):
        raise UnsafeTeX("non-ASCII or control characters in maths")
    if not _balanced(latex):
        raise UnsafeTeX("unbalanced braces")
    if re.search(r"(?<!\\)(\\\\)*\\\s*$", latex):
        raise UnsafeTeX("a trailing backslash would escape what the report puts after the maths")
    for match in _COMMAND.finditer(latex):
        name = match.group(1)
        if name in FORBIDDEN:
            raise UnsafeTeX(f"\\{name} is not allowed")
        if name not in MATH_COMMANDS and name not in MATH_SYMBOLS:
            raise UnsafeTeX(f"\\{name} is not a known maths command")
    for match in _ENVIRONMENT.finditer(latex):
        if match.group(1).strip() not in MATH_ENVIRONMENTS:
            raise UnsafeTeX(f"environment {match.group(1)!r} is not allowed")
    if re.search(r"\\(?:begin|end)(?!\s*\{)", latex):
        raise UnsafeTeX("\\begin or \\end without an environment name")
    # Not unsafe, but pdflatex -halt-on-error would lose the whole document over them.
    names = [m.group(1) for m in _COMMAND.finditer(latex)]
    if names.count("left") != names.count("right") or names.count("begin") != names.count("end"):
        raise UnsafeTeX("unmatched \\left/\\right or \\begin/\\end")


def safe_math(latex: str) -> bool:
    """True when ``latex`` may be typeset as maths (see ``check_math``)."""
    try:
        check_math(latex)
    except UnsafeTeX:
        return False
    return True


def verbatim(latex: str) -> str:
    """LaTeX source shown as text, in a small typewriter font (very long source shortened)."""
    if len(latex) > MAX_VERBATIM_CHARS:
        latex = latex[:MAX_VERBATIM_CHARS] + f" ... ({len(latex)} characters in all)"
    return r"{\small\texttt{" + escape_text(latex) + r"}}"


def display(latex: str, wrap=lambda m: r"\[ " + m + r" \]", prepare=lambda m: m) -> str:
    """``wrap(prepare(latex))`` when that is safe maths, else ``latex`` as escaped source."""
    math = prepare(latex)
    return wrap(math) if safe_math(math) else verbatim(latex)


def audit_document(source: str) -> None:
    """Raise UnsafeTeX if the body of a generated document holds a forbidden command.

    The last line of defence after escaping and the maths allow list: a bug in
    either shows up here as a refusal, never as a command run by pdflatex.
    """
    start = source.find("\\begin{document}")
    body = source[start:] if start >= 0 else source
    if "^^" in body:
        raise UnsafeTeX("the document body holds a ^^ escape")
    for match in _COMMAND.finditer(body):
        if match.group(1) in FORBIDDEN:
            raise UnsafeTeX(f"the document body holds \\{match.group(1)}")


# ---- compiling ----------------------------------------------------------------

def require_pdflatex() -> str:
    """The pdflatex executable, or TeXError naming the Debian packages to install."""
    found = shutil.which("pdflatex")
    if found is None:
        raise TeXError(f"--pdf needs pdflatex, which is not installed: "
                       f"apt-get install {PDFLATEX_PACKAGES}")
    return found


def _sandbox_env() -> dict:
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f")
    for name in ("TEXINPUTS", "TEXMFOUTPUT"):  # search and write only the private folder
        env.pop(name, None)
    return env


def _run(cmd: list, cwd: str, seconds: float) -> tuple[int, str]:
    """Run pdflatex in its own process group; kill the group on timeout or interrupt."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=_sandbox_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=seconds)
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return proc.returncode, out.decode("utf-8", "replace")


def compile_pdf(source: str, stem: str = "document", seconds: float = COMPILE_SECONDS) -> bytes:
    """The PDF of a complete LaTeX document, compiled in a private temporary folder.

    Raises TeXError (one line) when pdflatex is missing, fails or takes longer
    than ``seconds`` in total; UnsafeTeX when the document fails ``audit_document``.
    """
    audit_document(source)
    for _ in range(MAX_REPAIRS):
        try:
            return sandboxed_pdflatex(source, stem, seconds)
        except TeXError as exc:
            repaired = _maths_shown_as_source(source, exc.line)
            if repaired is None:
                raise
            source = repaired
    return sandboxed_pdflatex(source, stem, seconds)


# Maths that passes the allow list can still be rejected by TeX (e^z^2: "Double
# superscript", a trailing \hat, \left z): that piece is shown as its source and the
# document compiled again, so one line never costs the reader the whole PDF.
MAX_REPAIRS = 8
_MATHS = re.compile(r"\\\[(?P<d>.*?)\\\]|(?<!\\)\$(?P<i>[^$]+?)(?<!\\)\$"
                    r"|\\begin\{(?P<env>equation\*?|align\*?|gather\*?)\}(?P<e>.*?)\\end\{(?P=env)\}",
                    re.DOTALL)


def _maths_shown_as_source(source: str, line: int | None) -> str | None:
    """``source`` with the maths that pdflatex stopped at (on ``line``) replaced by its
    escaped source; None when no maths covers that line."""
    if line is None:
        return None
    for match in _MATHS.finditer(source):
        first = source.count("\n", 0, match.start()) + 1
        last = first + match.group(0).count("\n")
        if first <= line <= last:
            maths = (match.group("d") or match.group("i") or match.group("e") or "").strip()
            if maths.startswith("\\fitline{") and maths.endswith("}"):   # the report's own wrapper
                maths = maths[len("\\fitline{"):-1]
            shown = verbatim(maths)
            if match.group("d") is not None or match.group("e") is not None:
                shown = "\n\\begin{center}" + shown + "\\end{center}\n"
            return source[:match.start()] + shown + source[match.end():]
    return None


def sandboxed_pdflatex(source: str, stem: str = "document", seconds: float = COMPILE_SECONDS) -> bytes:
    """The sandbox alone, without the audit: whatever the document tries, it reads and writes
    only its private folder, runs no program, and stops after ``seconds``."""
    exe = require_pdflatex()
    work = tempfile.mkdtemp(prefix="symderiv-tex-")
    try:
        with open(os.path.join(work, stem + ".tex"), "w", encoding="utf-8") as fh:
            fh.write(source)
        cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", stem + ".tex"]
        for _ in range(2):  # a second pass only when LaTeX asks for one
            try:
                code, log = _run(cmd, work, seconds)
            except subprocess.TimeoutExpired:
                raise TeXError(f"pdflatex did not finish within {seconds:g} s") from None
            if code != 0:
                errors = [ln for ln in log.splitlines() if ln.startswith("!")]
                at = re.search(r"^l\.(\d+)", log, re.MULTILINE)
                raise TeXError(f"pdflatex failed: {errors[0] if errors else f'exit status {code}'}",
                               int(at.group(1)) if at else None)
            if "Rerun to get" not in log:
                break
        with open(os.path.join(work, stem + ".pdf"), "rb") as fh:
            return fh.read()
    finally:
        shutil.rmtree(work, ignore_errors=True)
