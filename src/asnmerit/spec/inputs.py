"""The ``inputs`` section read and checked: codes and their spellings, keys that fit the
input's type, bounds, defaults, and derivations (with no input derived from itself)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .._values import coerce, describe, fold
from ..errors import BadValue, Problem
from ..model import Code, Derivation, Derive, Input, Provenance
from .conditions import ConditionChecks
from .context import dec, opt_dec, text
from .graph import knots, shortest_cycle
from .parse import Path

Bound = Decimal | dt.date | None


class InputChecks(ConditionChecks):
    """Builds the inputs, reporting what a schema cannot see."""

    problems: list[Problem]  # what this part of the build reports (see Context.report)

    def input(self, name: str, d: Mapping[str, Any], path: Path, up: Provenance) -> Input:
        kind = d["type"]
        own = self.provenance(d, path, up)  # the codes inherit the input's confidence
        codes = self.codes(d.get("values") or {}, path, own)
        self.misplaced(d, kind, path)
        lo, hi = (self.bound(d.get(key), kind, (*path, key)) for key in ("min", "max"))
        if lo is not None and hi is not None and type(lo) is type(hi) and lo > hi:  # type: ignore[operator]
            self.report("input.bounds", f"min {lo} is above max {hi}", (*path, "min"))
        inp = Input(
            name=name,
            type=kind,
            label=text(d["label"]),
            description=d.get("description"),
            unit=d.get("unit"),
            aliases=tuple(d.get("aliases", ())),
            actionable=d.get("actionable", True),
            codes=tuple(codes),
            order=d.get("order"),
            min=lo,
            max=hi,
            step=opt_dec(d.get("step")),
            provenance=own,
        )
        if "default" in d:
            inp = self.with_default(inp, d["default"], (*path, "default"))
        return inp

    def codes(self, values: Mapping[str, Any], path: Path, own: Provenance) -> list[Code]:
        """An enum's codes; no spelling (code or alias) may name two, even once folded."""
        codes: list[Code] = []
        spellings: dict[str, str] = {}
        folded: dict[str, tuple[str, str]] = {}  # folded spelling -> (spelling, its code)
        for code, spec in values.items():
            aliases = tuple(spec.get("aliases", ()))
            for j, spelling in enumerate((code, *aliases)):
                where = (*path, "values", code, "aliases", j - 1) if j else (*path, "values", code)
                other = folded.get(fold(spelling))
                if spelling in spellings:
                    self.report(
                        "input.alias",
                        f"{spelling!r} names both {spellings[spelling]!r} and {code!r}",
                        where,
                        key=not j,
                    )
                elif other is not None and other[1] != code:
                    self.report(
                        "input.codes-fold",
                        f"{spelling!r} (of {code!r}) and {other[0]!r} (of {other[1]!r}) are the "
                        "same spelling once case, spaces, '-', '.' and '_' are ignored",
                        where,
                        key=not j,
                    )
                spellings[spelling] = code
                folded.setdefault(fold(spelling), (spelling, code))
            codes.append(
                Code(
                    code,
                    text(spec["label"]),
                    aliases,
                    spec.get("description"),
                    self.provenance(spec, (*path, "values", code), own),
                )
            )
        return codes

    def misplaced(self, d: Mapping[str, Any], kind: str, path: Path) -> None:
        """Report keys that do not apply to an input of type ``kind``."""
        if kind != "enum":
            for key in ("values", "order"):
                if key in d:
                    self.report(
                        "input.misplaced",
                        f"{key!r} applies to enum inputs only, not {kind}",
                        (*path, key),
                        key=True,
                    )
        if kind in ("enum", "boolean", "date"):
            for key in ("min", "max", "step", "unit") if kind != "date" else ("step", "unit"):
                if key in d:
                    self.report(
                        "input.misplaced",
                        f"{key!r} does not apply to {kind} inputs",
                        (*path, key),
                        key=True,
                    )

    def bound(self, raw: Any, kind: str, path: Path) -> Bound:
        """A ``min`` or ``max``: a date for a date input, else a number."""
        if raw is None:
            return None
        if kind == "date":
            return self.date(str(raw), path)
        if isinstance(raw, str):
            self.report("schema.type", f"expected a number, got text {raw!r}", path)
            return None
        return dec(raw)

    def with_default(self, inp: Input, value: Any, path: Path) -> Input:
        try:
            from attrs import evolve

            return evolve(inp, default=coerce(inp, value, exact=True))
        except BadValue as bad:
            self.report(
                "input.default",
                f"default: expected {bad.expected}, got {describe(value)}",
                path,
            )
            return inp

    def derivation(self, name: str, d: Mapping[str, Any], path: Path) -> None:
        """Attach ``derive`` to input ``name``: rules on other inputs that give its value."""
        inp = self.inputs[name]
        if inp.default is not None:
            self.report(
                "derive.default",
                f"input {name!r} has a default and a derivation: the default would always win",
                path,
                key=True,
            )
        prov = self.provenance(d, path, inp.provenance)
        rules: list[Derive] = []
        ok = True
        for i, r in enumerate(d["when"]):
            rpath = (*path, "when", i)
            cond = self.condition(r["if"], (*rpath, "if"))
            value = self.derived_value(inp, r["value"], (*rpath, "value"))
            if cond is None or value is None:
                ok = False
                continue
            rules.append(Derive(cond, value, text(r["label"]) if "label" in r else None))
        otherwise = None
        if "otherwise" in d:
            otherwise = self.derived_value(inp, d["otherwise"], (*path, "otherwise"))
            ok = ok and otherwise is not None
        if ok:
            derive = Derivation(tuple(rules), otherwise, prov)
            from attrs import evolve

            self.inputs[name] = evolve(inp, derive=derive)

    def derived_value(self, inp: Input, value: Any, path: Path) -> Any:
        try:
            return coerce(inp, value, exact=True)
        except BadValue as bad:
            self.report(
                "derive.value",
                f"{inp.name!r} takes {bad.expected}, not {describe(value)}",
                path,
            )
            return None

    def derive_cycles(self) -> None:
        """An input may not be derived, through any chain, from itself: one problem per
        knot of inputs that derive from each other (linear in the size of the graph)."""
        from ..model import condition_inputs

        graph = {
            n: sorted({i for r in inp.derive.rules for i in condition_inputs(r.condition)})
            for n, inp in self.inputs.items()
            if inp.derive is not None
        }
        for knot in knots(graph):
            start = knot[0]
            chain = shortest_cycle(graph, start, set(knot))
            shown = (
                chain
                if len(chain) <= 9
                else [*chain[:4], f"... {len(chain) - 8} more", *chain[-4:]]
            )
            self.report(
                "derive.cycle",
                f"input {start!r} is derived from itself ({' -> '.join((*shown, start))})",
                ("inputs", start, "derive"),
                key=True,
            )
