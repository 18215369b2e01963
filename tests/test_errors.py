"""One root for the user's input (errors.py): the CLI maps exactly InputError to exit 2;
any other exception, a ValueError included, is an internal error (exit 3, one line)."""
import inspect

import pytest

from symderiv import cli, errors
from symderiv.engine.network import NetFlags, mlp

INPUT_ERRORS = [c for _, c in inspect.getmembers(errors, inspect.isclass)
                if issubclass(c, Exception) and c.__module__ == errors.__name__]


def test_every_error_class_is_an_input_error_and_still_a_value_error():
    assert len(INPUT_ERRORS) >= 8
    for cls in INPUT_ERRORS:
        assert issubclass(cls, errors.InputError) and issubclass(cls, ValueError), cls


def test_the_old_homes_still_export_the_same_classes():
    from symderiv.documents.settings import DocumentError
    from symderiv.engine.backends import BackendUnavailable
    from symderiv.notation.claim import ParseError
    from symderiv.notation.tokens import NotationError
    from symderiv.report.files import OutputError
    assert DocumentError is errors.DocumentError and NotationError is errors.NotationError
    assert OutputError is errors.OutputError and issubclass(ParseError, errors.NotationError)
    assert issubclass(BackendUnavailable, ImportError)


@pytest.mark.parametrize("call, cls", [
    (lambda: mlp([3, 0, 2]), errors.ModelError),
    (lambda: mlp([3, 2], hidden="nope"), errors.ModelError),
    (lambda: mlp([3, 2], layout="diagonal"), errors.ModelError),
])
def test_bad_network_descriptions_raise_model_errors(call, cls):
    with pytest.raises(cls):
        call()


def _derive_raises(monkeypatch, exc):
    def broken(self, *args, **kwargs):
        raise exc
    monkeypatch.setattr(NetFlags, "network", broken)


def test_a_value_error_that_is_not_input_is_an_internal_error(monkeypatch, capsys):
    _derive_raises(monkeypatch, ValueError("boom in our code"))
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    assert cli.main(["derive"]) == 3
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == ["symderiv: internal error (ValueError): boom in our code"]


def test_an_input_error_is_exit_2_with_one_line(monkeypatch, capsys):
    _derive_raises(monkeypatch, errors.ModelError("no such network"))
    assert cli.main(["derive"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == ["symderiv: error: no such network"]


def test_debug_variable_adds_the_traceback(monkeypatch, capsys):
    _derive_raises(monkeypatch, KeyError("k"))
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    assert cli.main(["derive"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1] == "symderiv: internal error (KeyError): 'k'"
