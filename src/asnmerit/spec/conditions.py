"""Conditions (of gates, cases and derivations) read and checked: one form each, tests
of declared inputs, operands of the input's type and codes (not their aliases)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from .._values import coerce, describe
from ..errors import BadValue, Problem
from ..model import AllOf, AnyOf, Condition, Input, Not, Op, Test
from .context import Context
from .parse import Path

OPS = ("is", "in", "not_in", "lt", "le", "gt", "ge")
ORDER_OPS = ("lt", "le", "gt", "ge")


class ConditionChecks(Context):
    """Builds conditions, reporting what a schema cannot see."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def condition(self, d: Mapping[str, Any], path: Path) -> Condition | None:
        forms = [k for k in ("all", "any", "not", "input") if k in d]
        if len(forms) != 1:
            found = " and ".join(forms) if forms else "none of them"
            self.report(
                "condition.form",
                f"a condition is exactly one of all, any, not, or input with tests; found {found}",
                path,
            )
            return None
        form = forms[0]
        if form in ("all", "any"):
            extra = [k for k in d if k != form]
            if extra:
                self.report(
                    "condition.form", f"{form!r} cannot be combined with {', '.join(extra)}", path
                )
            items = [self.condition(item, (*path, form, i)) for i, item in enumerate(d[form])]
            if any(i is None for i in items):
                return None
            parts = tuple(cast(list[Condition], items))
            return AllOf(parts) if form == "all" else AnyOf(parts)
        if form == "not":
            if len(d) > 1:
                self.report("condition.form", "'not' cannot be combined with other keys", path)
            item = self.condition(d["not"], (*path, "not"))
            return None if item is None else Not(item)
        return self.test(d, path)

    def test(self, d: Mapping[str, Any], path: Path) -> Condition | None:
        name = d["input"]
        inp = self.inputs.get(name)
        if inp is None:
            self.unknown_input(name, (*path, "input"))
            return None
        self.used.inputs.add(name)
        ops = [k for k in OPS if k in d]
        if not ops:
            self.report("condition.form", f"a test of {name!r} needs one of {', '.join(OPS)}", path)
            return None
        tests = [t for op in ops if (t := self.one_test(inp, op, d[op], path)) is not None]
        if len(tests) != len(ops):
            return None
        return tests[0] if len(tests) == 1 else AllOf(tuple(tests))

    def one_test(self, inp: Input, op: str, raw: Any, path: Path) -> Condition | None:
        """The test ``op`` of ``inp`` against ``raw``; ``None`` when it is not valid."""
        if op in ORDER_OPS and not (inp.type in ("number", "integer", "date") or inp.order):
            self.report(
                "condition.unordered",
                f"{op!r} needs an ordered input; {inp.name!r} is {inp.type} without order",
                (*path, op),
                key=True,
            )
            return None
        many = op in ("in", "not_in")
        values = raw if many else [raw]
        if many != isinstance(raw, list):
            return None  # the schema already reported it
        where = [(*path, op, i) if many else (*path, op) for i in range(len(values))]
        good = [self.operand(inp, v, at) for v, at in zip(values, where, strict=True)]
        if any(g is None for g in good):
            return None
        return Test(inp.name, cast(Op, op), tuple(good) if many else good[0])

    def operand(self, inp: Input, value: Any, path: Path) -> Any:
        if inp.type == "boolean":
            if not isinstance(value, bool):
                self.report(
                    "condition.type",
                    f"{inp.name!r} is boolean; compare it with true or false, not {describe(value)}",
                    path,
                )
                return None
            return value
        if inp.type == "enum" and isinstance(value, str) and value not in inp.code_names:
            canonical = next((c.code for c in inp.codes if value in c.aliases), None)
            if canonical is not None:  # criteria name codes; aliases are for subject data
                self.report(
                    "condition.alias",
                    f"write the code {canonical!r}, not its alias {value!r}",
                    path,
                )
                return None
        try:
            return coerce(_unbounded(inp), value, exact=True)
        except BadValue as bad:
            code = "condition.unknown-code" if inp.type == "enum" else "condition.type"
            self.report(code, f"{inp.name!r} takes {bad.expected}, not {describe(value)}", path)
            return None


def _unbounded(inp: Input) -> Input:
    from attrs import evolve

    return evolve(inp, min=None, max=None, step=None)
