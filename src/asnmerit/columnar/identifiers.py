"""Identifier values checked many at a time.

For a format of :data:`asnmerit._values.FORMATS`, :data:`PLAIN` may name a function that
finds with numpy, among many values, those the format accepts *as they are* (their
normal value is the value itself), without a step of Python per value. The scalar check
stays the reference: a value not found there is given to it, which accepts a printed
form or says why it refuses the value. A value found there is one the scalar check
returns unchanged (property-tested), so both ways give the same result. Without numpy,
every value goes to the scalar check.
"""

from __future__ import annotations

import array
import importlib.util
import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._values import identifier_value, is_blank, normal_key
from ..errors import BadValue
from ..model import Identifier

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Mask = npt.NDArray[np.bool_]
    Numbers = npt.NDArray[np.int64]

_NUMPY = importlib.util.find_spec("numpy") is not None

_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def plain_nips(values: Sequence[Any]) -> Mask:
    """Which ``values`` are NIPs in the plain form (a text of 18 ASCII digits) that
    :func:`asnmerit._values.nip` accepts as they are: a birth date from 1900, an
    appointment after it (``YYYYMM``, or an NI PPPK's year, ``2`` and a digit 1-9), and a
    sex digit 1 or 2."""
    import numpy as np

    n = len(values)
    if set(map(type, values)) <= {str}:  # as usual: every length is read without a loop
        shaped = np.fromiter(map(len, values), np.int64, n) == 18
    else:
        shaped = np.fromiter((type(v) is str and len(v) == 18 for v in values), np.bool_, n)
    at = np.flatnonzero(shaped)
    if not len(at):
        return np.zeros(n, np.bool_)
    chosen = values if len(at) == n else [values[k] for k in at.tolist()]
    code = np.array(chosen, dtype="<U18").view(np.uint32).reshape(len(at), 18)
    out = np.zeros(n, np.bool_)
    out[at] = plain_nip_codes(code)[0]
    return out


def plain_nip_codes(codes: npt.NDArray[Any]) -> tuple[Mask, Numbers]:
    """For rows of 18 character codes (an unsigned array of shape ``(n, 18)``: the bytes
    of UTF-8 texts, or the code points of ``str``), which rows are plain NIPs (see
    :func:`plain_nips`), and the number their 18 digits write (meaningful for those only;
    two texts of 18 digits are equal exactly when their numbers are)."""
    import numpy as np

    n = len(codes)
    d = codes - codes.dtype.type(ord("0"))  # unsigned: a code below "0" wraps above 9
    top = d[:, 0].copy()
    for k in range(1, 18):
        np.maximum(top, d[:, k], out=top)
    number = np.zeros(n, np.int64)
    prefix = {}  # the number the first k digits write
    for k in range(18):
        number *= 10
        number += d[:, k]  # garbage (perhaps wrapped) in a row with a non-digit
        if k + 1 in (4, 6, 8, 12, 14, 15):
            prefix[k + 1] = number.copy()
    year, month, day = prefix[4], prefix[6] - prefix[4] * 100, prefix[8] - prefix[6] * 100
    at_year, at_month = prefix[12] - prefix[8] * 10000, prefix[14] - prefix[12] * 100
    sex = prefix[15] - prefix[14] * 10
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array(_DAYS)[np.clip(month, 0, 12)] + ((month == 2) & leap)
    born = (year >= 1900) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)
    pppk = (at_month >= 21) & (at_month <= 29)  # digits 13-14: 2 and a digit 1-9
    dated = pppk | ((at_month >= 1) & (at_month <= 12))
    after = np.where(
        pppk, at_year > year, (at_year > year) | ((at_year == year) & (at_month > month))
    )
    plain = (top <= 9) & born & dated & after & ((sex == 1) | (sex == 2))
    return plain, number


PLAIN: dict[str, Callable[[Sequence[Any]], Mask]] = {"nip": plain_nips}
"""For each format that has one, the check of many values (see the module)."""


def unusual(ident: Identifier, values: Sequence[Any]) -> tuple[list[int], dict[int, Any]]:
    """Among the ``values`` of identifier ``ident``: the positions of those its format
    refuses, and the normal value of each one it writes otherwise (by position; a blank
    value stays as it is)."""
    normals, refused, others = _values(ident, values)
    written = {
        k: normals[k]
        for k in others
        if not refused[k] and (type(normals[k]) is not type(values[k]) or normals[k] != values[k])
    }
    return [k for k in others if refused[k]], written


def identifier_keys(
    ident: Identifier, values: Sequence[Any]
) -> tuple[list[str | None], list[bool]]:
    """For each of ``values`` of identifier ``ident``: the key records holding it share
    (:func:`~asnmerit._values.identifier_key`: ``None`` for a blank or refused value), and
    whether the identifier's format refuses it."""
    keys, refused, others = _values(ident, values)  # a plain value is its own key
    for k in others:
        keys[k] = None if refused[k] or is_blank(keys[k]) else normal_key(keys[k])
    return keys, refused


def _values(ident: Identifier, values: Sequence[Any]) -> tuple[list[Any], list[bool], list[int]]:
    """The normal value of each of ``values`` (a blank or refused one as given), whether
    the format refuses it, and the positions of the values that are not plain (those the
    scalar check saw)."""
    check = PLAIN.get(ident.format) if ident.format is not None and _NUMPY else None
    if check is None:
        others = list(range(len(values)))
    else:
        import numpy as np

        others = np.flatnonzero(~check(values)).tolist()
    normals = list(values)
    refused = [False] * len(values)
    for k in others:
        value = values[k]
        if is_blank(value):
            continue
        try:
            normals[k] = identifier_value(ident, value)
        except BadValue:
            refused[k] = True
    return normals, refused, others


def repeated(hashes: array.array[int]) -> set[int]:
    """The positions of the ``hashes`` (but ``0``, no value) that occur more than once."""
    if not _NUMPY:
        return _repeated(hashes)
    import numpy as np

    h = np.frombuffer(hashes, np.int64) if len(hashes) else np.zeros(0, np.int64)
    return set(np.flatnonzero(repeats(h, 0)).tolist())


def repeats(numbers: Numbers, none: int) -> Mask:
    """Which of ``numbers`` (but ``none``, no value) occur more than once."""
    import numpy as np

    ordered = np.sort(numbers)
    same = ordered[1:] == ordered[:-1]
    twice = np.unique(ordered[1:][same])
    twice = twice[twice != none]
    if not len(twice):  # as usual
        return np.zeros(len(numbers), np.bool_)
    return np.isin(numbers, twice)


def _repeated(hashes: array.array[int]) -> set[int]:
    """:func:`repeated` without numpy."""
    ordered = sorted(hashes)
    twice = {a for a, b in itertools.pairwise(ordered) if a == b and a}
    del ordered
    return {k for k, h in enumerate(hashes) if h in twice} if twice else set()
