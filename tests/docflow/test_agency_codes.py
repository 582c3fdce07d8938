from __future__ import annotations

import pytest

from docflow.agencies.codes import is_valid_qcvn102, is_valid_qd20, qcvn102_error


@pytest.mark.parametrize(
    "code", ["000.00.00.G22", "000.00.00.H56", "000.00.18.G12", "001.03.12.H41"]
)
def test_valid_qcvn102_codes(code: str) -> None:
    assert is_valid_qcvn102(code)
    assert qcvn102_error(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", "missing"),
        ("000.00.00.H5", "13 characters"),
        ("000.00.00.H567", "13 characters"),
        ("000.00.00.h56", "DDD.CC.BB.Xnn"),
        ("000-00-00-H56", "DDD.CC.BB.Xnn"),
        ("H56.000.00.00", "DDD.CC.BB.Xnn"),
        ("0000.0.00.H56", "DDD.CC.BB.Xnn"),
    ],
)
def test_invalid_qcvn102_codes(code: str, problem: str) -> None:
    assert not is_valid_qcvn102(code)
    assert problem in qcvn102_error(code)


def test_qd20_codes() -> None:
    assert is_valid_qd20("H01.151.01")
    assert is_valid_qd20("G09.20")
    assert not is_valid_qd20("000.00.00.H56")
