"""Every (check name, state, code) the verifier can emit, read from the source (AST).

Why from the source: a new ``report.add(...)`` / ``Check(...)`` / proof or JWT error code must
get a plain message in every language before it ships; a hand-kept list would drift. Calls
whose name, state or code cannot be read statically make :func:`emitted` raise, so the
enumerator is taught about them rather than silently skipping them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import badger
from badger.ob3.verify import UNDETERMINED_PROOF_CODES

ROOT = Path(badger.__file__).parent
STATES = ("passed", "failed", "warning", "unknown")


def _consts(node: ast.AST | None, env: dict[str, set[str]]) -> set[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _consts(node.body, env), _consts(node.orelse, env)
        return None if a is None or b is None else a | b
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    return None


def _local_env(func: ast.AST) -> dict[str, set[str]]:
    env: dict[str, set[str]] = {}
    for node in ast.walk(func):
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for t in targets:
            if isinstance(t, ast.Name):
                found = _consts(value, {})
                if found is not None:
                    env.setdefault(t.id, set()).update(found)
    return env


def _jwt_codes(*functions: str) -> set[str]:
    """Codes of ``JwtError(...)`` raised in jwt.py (only in ``functions`` when given)."""
    tree = ast.parse((ROOT / "ob3" / "jwt.py").read_text("utf-8"))
    codes: set[str] = set()
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef) or (functions and func.name not in functions):
            continue
        for node in ast.walk(func):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "JwtError"):
                code = node.args[1] if len(node.args) > 1 else None
                found = _consts(code, {}) if code is not None else {"jwt_invalid"}
                if found is None:
                    raise AssertionError(f"jwt.py:{node.lineno}: JwtError code not a literal")
                codes |= found
    return codes


def _proof_codes() -> set[str]:
    """Codes of ``_outcome(index, proof, "<code>", ...)`` in dataintegrity.py."""
    tree = ast.parse((ROOT / "ob3" / "dataintegrity.py").read_text("utf-8"))
    codes: set[str] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "_outcome"):
            found = _consts(node.args[2], {})
            if found is None:
                raise AssertionError(f"dataintegrity.py:{node.lineno}: code not a literal")
            codes |= found
    return codes


def _provenance() -> set[tuple[str, str]]:
    """(state, code) of every ``KeyProvenance(state, code, message)`` the key-provenance rule
    (resolver.py) can return: the ``issuer_binding`` check passes them on."""
    tree = ast.parse((ROOT / "ob3" / "resolver.py").read_text("utf-8"))
    out: set[tuple[str, str]] = set()
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        for node in ast.walk(func):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "KeyProvenance"):
                states = _consts(node.args[0], {})
                codes = _consts(node.args[1], {})
                if states is None or codes is None:
                    raise AssertionError(f"resolver.py:{node.lineno}: KeyProvenance not literal")
                out |= {(s, c) for s in states for c in codes}
    return out


def _dynamic(name: str, code_node: ast.AST) -> set[tuple[str, str, str]] | None:
    """The calls that pass on a proof outcome's or a JwtError's code."""
    if not (isinstance(code_node, ast.Attribute) and code_node.attr == "code"):
        return None
    owner = code_node.value
    owner_name = owner.id if isinstance(owner, ast.Name) else ""
    if name == "issuer_binding" and owner_name == "binding":
        return {("issuer_binding", state, code) for state, code in _provenance()}
    if name == "proof" and owner_name in {"best", "decisive"}:
        # only outcomes whose signature failed reach these calls: the codes of a valid
        # signature (its key proven, unconfirmed or refused) are reported explicitly
        valid_signature = {"proof_valid", "key_provenance_unverified", "controller_mismatch"}
        return {
            ("proof", "unknown" if c in UNDETERMINED_PROOF_CODES else "failed", c)
            for c in _proof_codes() - valid_signature
        }
    if name == "proof" and owner_name == "exc":
        # what verify_jwt raises (with check_time=False: no "expired"/"not_yet_valid")
        return {
            ("proof", "unknown" if c in UNDETERMINED_PROOF_CODES else "failed", c)
            for c in _jwt_codes() - {"expired", "not_yet_valid", "key_retired"}
        }
    if name == "format" and owner_name == "exc":
        return {("format", "failed", c) for c in _jwt_codes("decode_unverified", "_b64_json")}
    return None


def _calls(path: Path) -> set[tuple[str, str, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    out: set[tuple[str, str, str]] = set()
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef) or func.name == "add":
            continue  # VerificationReport.add itself passes its arguments on
        env = _local_env(func)
        for node in ast.walk(func):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            is_add = isinstance(f, ast.Attribute) and f.attr == "add" and (
                isinstance(f.value, ast.Name) and f.value.id == "report"
            )
            is_check = isinstance(f, ast.Name) and f.id == "Check"
            if not (is_add or is_check):
                continue
            if len(node.args) != 4 or node.keywords:
                raise AssertionError(
                    f"{path.name}:{node.lineno}: pass name, state, message, code positionally"
                )
            name_node, state_node, _, code_node = node.args
            names = _consts(name_node, env)
            where = f"{path.name}:{node.lineno}"
            if names is None or len(names) != 1:
                raise AssertionError(f"{where}: check name not a literal")
            (name,) = names
            states = _consts(state_node, env)
            codes = _consts(code_node, env)
            if isinstance(code_node, ast.JoinedStr) and name == "format":
                codes = {"vc20", "vc11"}  # f"vc{report.vc_version…}"
            if codes is None or states is None:
                dynamic = _dynamic(name, code_node)
                if dynamic is None:
                    raise AssertionError(f"{where}: teach tests/verification/_emitted.py this call")
                out |= dynamic
                continue
            if not states <= set(STATES):
                raise AssertionError(f"{where}: state {states}")
            out |= {(name, s, c) for s in states for c in codes}
    return out


def emitted() -> set[tuple[str, str, str]]:
    """(name, state, code) of every check the library and the web layer can report."""
    files = [
        *(
            ROOT / "ob3" / name
            for name in ("verify.py", "checks.py", "verify_status.py", "vcdm.py")
        ),
        *sorted((ROOT / "verification").glob("*.py")),
        ROOT / "ob3" / "registry.py",
    ]
    found: set[tuple[str, str, str]] = set()
    for path in files:
        found |= _calls(path)
    return found
