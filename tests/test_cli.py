"""The command line as a new user meets it: help and defaults, --version, a bare
``symderiv``, misspelt flags, verify's printing, closed pipes, --plot checked first."""
import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sampling import EXHAUSTIVE

import symderiv
from symderiv import cli
from symderiv.engine.losses import REGULARISERS
from symderiv.training.train import DEFAULT_FLAGS, TrainConfig


ROOT = Path(__file__).resolve().parent.parent


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# ---- help, version, usage ------------------------------------------------------

def test_bare_symderiv_prints_one_usage_line_listing_every_command(capsys):
    code, out, err = run([], capsys)
    assert code == 2 and out == ""
    line = one_line(err)
    assert line.startswith("usage: symderiv")
    assert all(name in line for name in cli.COMMANDS)


def test_version_prints_the_package_version(capsys):
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"symderiv {symderiv.__version__}"


def _help(argv, capsys) -> str:
    code, out, _ = run(argv + ["--help"], capsys)
    assert code == 0
    return " ".join(out.split())   # argparse wraps lines: compare with single spaces


def test_train_help_states_every_default_from_the_config(capsys):
    text = _help(["train"], capsys)
    cfg = TrainConfig()
    for flag, value in [("--epochs N", cfg.epochs), ("--lr LR", cfg.lr), ("--lam LAMBDA", cfg.lam),
                        ("--batch-size B", cfg.batch_size), ("--seed S", cfg.seed),
                        ("--hidden-units H", cfg.hidden_units)]:
        assert re.search(re.escape(flag) + r" [^()]*\(default: " + re.escape(str(value)) + r"\)", text), flag
    # train's own model (note 000's, regulariser l2), not derive's "none"
    assert DEFAULT_FLAGS.reg == "l2"
    assert re.search(r"--reg \{[^}]*\} regulariser \(default: l2; none once any other network flag", text)


def test_derive_help_says_reg_default_none(capsys):
    text = _help(["derive"], capsys)
    assert re.search(r"--reg \{[^}]*\} regulariser \(default: none\)", text)
    assert "--sizes" in text and "--format" in text and "(default: text)" in text


def test_every_option_of_every_command_has_help_and_states_its_default():
    parser = cli.build_parser()
    for name, sub in parser.commands.items():
        formatter = sub._get_formatter()
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
            takes_value = action.option_strings and action.nargs != 0
            if takes_value and not action.required:
                shown = formatter._get_help_string(action) % {"default": action.default}
                assert "default" in shown, f"{name} {action.option_strings}: no default in {shown!r}"


# ---- flags and arguments -------------------------------------------------------

def test_misspelt_flag_is_named_not_taken_for_the_claim(capsys):
    code, out, err = run(["verify", "--hiden", "relu", r"\delta^{(L)} = a^{(L)} - y"], capsys)
    assert code == 2 and out == ""
    assert one_line(err) == ("symderiv: error: unknown flag --hiden for 'symderiv verify' "
                             "(did you mean --hidden?)")


@pytest.mark.parametrize("argv, flag", [(["verify", "--hiden"], "--hiden"),
                                        (["train", "--epohcs", "3"], "--epohcs")])
def test_misspelt_flag_is_named_before_missing_arguments(argv, flag, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2 and f"unknown flag {flag}" in one_line(err)


def test_abbreviated_flags_argparse_accepts_are_not_called_unknown(capsys):
    code, out, err = run(["derive", "--form", "text", "--sizes", "3,2"], capsys)
    assert code == 0 and err == "" and out.startswith("Backpropagation for the 3-2 network")


def test_a_second_positional_is_refused_with_a_hint_to_quote(capsys):
    code, _, err = run(["verify", "a", "=", "b"], capsys)
    assert code == 2 and "unexpected argument '='" in one_line(err) and "quote" in err


@pytest.mark.parametrize("argv, message", [
    (["derive", "--sizes", "5,4,3", "--depth", "3"], "--sizes gives 3 widths (depth 2) but --depth is 3"),
    (["derive", "--sizes", "5,x"], "argument --sizes"),
    (["derive", "--sizes", "5"], "argument --sizes"),
    (["derive", "--sizes", "5,0,3"], "argument --sizes"),
])
def test_bad_sizes_are_one_line_errors(argv, message, capsys):
    code, _, err = run(argv, capsys)
    assert code == 2 and message in one_line(err)


def test_derive_sizes_sets_the_widths_and_the_depth(capsys):
    code, out, _ = run(["derive", "--sizes", "6,5,4,3"], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("Backpropagation for the 6-5-4-3 network")


# ---- verify's printing ---------------------------------------------------------

def test_verdict_text_prints_each_fact_once_with_real_characters():
    from symderiv.verify.diagnostics import diagnostic
    v = symderiv.Verdict("incorrect", "x = y", expected="2 y",
                         diagnostics=[diagnostic("scale", factor="1/2"), diagnostic("sign")],
                         counterexample={"claim": "3×1"}, reason="scale: claim = 1/2 × truth")
    lines = v.text().split("\n")
    assert lines == ["INCORRECT: x = y", "  convention: default", "  reason: scale: claim = 1/2 × truth",
                     "  diagnosis: sign: claim = -1 × truth", "  expected: 2 y", '  counterexample: {"claim": "3×1"}']


def test_verify_incorrect_exits_1_without_repeats_or_escapes(capsys):
    code, out, err = run(["verify", r"\delta^{(L)} = W^{(L)} a^{(L)} - y"], capsys)
    assert code == 1 and err == ""
    facts = [line.split(": ", 1)[1] for line in out.splitlines()[1:] if ": " in line]
    assert len(facts) == len(set(facts)), out
    assert out.startswith("INCORRECT:") and "\\u00d7" not in out and "×" in out


def test_verify_json_is_one_object_in_utf8(capsys):
    code, out, _ = run(["verify", "--json", r"\delta^{(L)} = W^{(L)} a^{(L)} - y"], capsys)
    assert code == 1 and len(out.strip().splitlines()) == 1
    assert '"verdict": "incorrect"' in out and "\\u00d7" not in out


def test_unverifiable_claim_verdict_on_stdout_one_line_on_stderr(capsys):
    code, out, err = run(["verify", r"\delta^{(L} = a"], capsys)
    assert code == 2
    assert out.startswith("UNVERIFIABLE: ") and out.rstrip().endswith("^")   # the caret, under the claim
    assert one_line(err).startswith("symderiv: cannot check: ")


# ---- the process ---------------------------------------------------------------

@pytest.mark.parametrize("argv", [pytest.param(["derive", "--depth", "11", "--format", "latex"], marks=EXHAUSTIVE),
                                  pytest.param(["check", "002"], marks=EXHAUSTIVE),
                                  ["derive", "--depth", "3", "--format", "latex"]])
def test_closed_pipe_ends_quietly(argv):
    p = subprocess.Popen([sys.executable, "-m", "symderiv", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.readline()          # `| head -1`
    p.stdout.close()
    code = p.wait(timeout=120)
    err = p.stderr.read().decode()
    # a closed pipe is not an error: 141, or the command's own code (check exits 1 on errata) when its
    # output fitted in the pipe before the reader left; never an internal error or a traceback
    assert code in (0, 1, cli.EXIT_PIPE_CLOSED) and err == "", (code, err)


def test_closed_pipe_exit_code_is_141_when_the_write_fails(monkeypatch, capsys):
    def cut(args):
        raise BrokenPipeError(32, "Broken pipe")
    monkeypatch.setattr("symderiv.commands.derive.run", cut)
    code, _, err = run(["derive"], capsys)
    assert code == 141 and err == ""


@pytest.mark.parametrize("plot, message", [
    ("/nonexistent/x.png", "directory /nonexistent does not exist"),
    ("{tmp}", "is a directory; give a file name such as"),
    ("{tmp}/x.txt", "must end in .png, .pdf or .svg"),
])
def test_plot_path_is_refused_before_training(plot, message, tmp_path, capsys):
    code, out, err = run(["train", "--dataset", "digits", "--plot", plot.format(tmp=tmp_path)], capsys)
    assert code == 2 and out == ""          # nothing trained, nothing printed
    assert message in one_line(err)


def test_plot_into_an_existing_directory_is_written(tmp_path, capsys):
    target = tmp_path / "curves.png"
    code, out, _ = run(["train", "--dataset", "digits", "--epochs", "1", "--plot", str(target)], capsys)
    assert code == 0 and f"plot written to {target}" in out
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_regularisers_in_help_come_from_the_table(capsys):
    text = _help(["verify"], capsys)
    assert "{" + ",".join(REGULARISERS) + "}" in text


def test_verify_under_a_notes_reading_checks_a_students_fix(capsys):
    from symderiv.cli import main
    wrong = r"\frac{\partial J(\theta)}{\partial w^{(2)}} = \frac{1}{2} (\psi(z^{(3)}) - \Delta) a^{(2)'}"
    assert main(["verify", "--note", "002", "--entry", "dJ/dw2", wrong]) == 1
    out = capsys.readouterr().out
    fix = next(line.split("corrected: ", 1)[1] for line in out.splitlines() if "corrected: " in line)
    assert r"\psi" in fix and r"\frac{1}{N}" in fix             # in the note's own symbols
    assert main(["verify", "--note", "002", "--entry", "dJ/dw2", fix]) == 0
    assert main(["verify", "--note", "002", "--entry", "nope", "x = y"]) == 2
    assert "no line 'nope'" in capsys.readouterr().err
