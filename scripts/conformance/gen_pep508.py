"""Oracle vectors for src/pep/pep508.ts (requirements, markers) and src/pep/names.ts.

packaging 26.2 is the oracle. Inputs are hand-written edge cases, every Requires-Dist of the
interpreter's site-packages, and seeded random grammar-shaped strings (plus mutations of them
for invalid inputs). Marker evaluation uses the real default_environment() of every pyenv
interpreter here, synthesized Windows / macOS / PyPy / untagged-build environments, and
extra / extras / dependency_groups contexts.

Random cases that hit a known packaging bug (see EXCEPTIONS in test/pep/pep508.test.ts) are
left out; the hand-written list keeps one or more of each so the test can show the difference.

Usage: <python 3.11.7 with packaging 26.2> scripts/conformance/gen_pep508.py
"""

import glob
import importlib.metadata
import json
import os
import random
import re
import subprocess
import sys

import packaging
from packaging._parser import Value, Variable
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, is_normalized_name

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "conformance", "pep508.json")
rng = random.Random(508)

# ---------------------------------------------------------------------------------------
# environments
# ---------------------------------------------------------------------------------------
DUMP_ENV = r"""
import json, os, platform, sys
def fmt(info):
    v = "%d.%d.%d" % (info[0], info[1], info[2])
    if info[3] != "final":
        v += info[3][0] + str(info[4])
    return v
impl = getattr(sys, "implementation", None)
env = {
    "implementation_name": impl.name if impl else "",
    "implementation_version": fmt(impl.version) if impl else "0",
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps(env))
"""


def real_environments():
    envs = {}
    for exe in sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python"))):
        version = exe.split("/")[-3]
        out = subprocess.run([exe, "-c", DUMP_ENV], capture_output=True, text=True, check=True)
        envs["pyenv-" + version] = json.loads(out.stdout)
    return envs


SYNTHETIC = {
    "windows-cpython-3.12": {
        "implementation_name": "cpython", "implementation_version": "3.12.4", "os_name": "nt",
        "platform_machine": "AMD64", "platform_release": "11", "platform_system": "Windows",
        "platform_version": "10.0.22631", "python_full_version": "3.12.4",
        "platform_python_implementation": "CPython", "python_version": "3.12", "sys_platform": "win32",
    },
    "macos-arm64-cpython-3.13": {
        "implementation_name": "cpython", "implementation_version": "3.13.0rc2", "os_name": "posix",
        "platform_machine": "arm64", "platform_release": "23.5.0", "platform_system": "Darwin",
        "platform_version": "Darwin Kernel Version 23.5.0: Wed May  1 20:12:58 PDT 2024",
        "python_full_version": "3.13.0rc2", "platform_python_implementation": "CPython",
        "python_version": "3.13", "sys_platform": "darwin",
    },
    "linux-pypy-3.10": {
        "implementation_name": "pypy", "implementation_version": "7.3.17", "os_name": "posix",
        "platform_machine": "aarch64", "platform_release": "6.8.0-45-generic", "platform_system": "Linux",
        "platform_version": "#45-Ubuntu SMP PREEMPT_DYNAMIC", "python_full_version": "3.10.14",
        "platform_python_implementation": "PyPy", "python_version": "3.10", "sys_platform": "linux",
    },
    "linux-untagged-build": {
        "implementation_name": "cpython", "implementation_version": "3.14.0a1", "os_name": "posix",
        "platform_machine": "x86_64", "platform_release": "5.15.0", "platform_system": "Linux",
        "platform_version": "#1 SMP", "python_full_version": "3.14.0a1+",
        "platform_python_implementation": "CPython", "python_version": "3.14", "sys_platform": "linux",
    },
}


def environments():
    bases = {**real_environments(), **SYNTHETIC}
    envs = {}
    for name, env in bases.items():
        envs[name] = {**env, "extra": ""}
    base = bases["pyenv-3.11.7"]
    envs["3.11.7+extra=Foo.Bar"] = {**base, "extra": "Foo.Bar"}
    envs["3.11.7+extra=test"] = {**base, "extra": "test"}
    envs["3.11.7+lock"] = {**base, "extras": ["Foo_Bar", "test"], "dependency_groups": ["Dev", "docs.all"]}
    envs["3.11.7+lock-empty"] = {**base, "extras": [], "dependency_groups": []}
    envs["3.11.7-bare"] = dict(base)
    return envs


def to_python_env(env):
    return {k: (frozenset(v) if isinstance(v, list) else v) for k, v in env.items()}


# ---------------------------------------------------------------------------------------
# random grammar-shaped inputs
# ---------------------------------------------------------------------------------------
VARIABLES = [
    "python_version", "python_full_version", "os_name", "os.name", "sys_platform", "sys.platform",
    "platform_release", "platform_system", "platform_version", "platform.version", "platform_machine",
    "platform.machine", "platform_python_implementation", "platform.python_implementation",
    "python_implementation", "implementation_name", "implementation_version", "extra", "extras",
    "dependency_groups",
]
VALUES = {
    "version": ["2.7", "3", "3.6", "3.8", "3.10", "3.11", "3.11.7", "3.12", "3.13", "3.13.0rc2", "3.14.0a1",
                "3.*", "3.11.*", "3.11.7+local", "4", "7.3", "5.15", "6", "23.5.0", "1!3", "v3.9", "3.9.0.post1",
                "3.12.dev0", "abc", "", " 3.8", "3.8 ", "=3.8", "cpython"],
    "platform": ["linux", "win32", "darwin", "cygwin", "posix", "nt", "Linux", "Windows", "Darwin", "x86_64",
                 "AMD64", "arm64", "aarch64", "CPython", "PyPy", "cpython", "pypy", "java", "lin", "", "win"],
    "extra": ["test", "Foo.Bar", "foo-bar", "FOO__bar", "docs", "", "Dev", "dev", "docs-all", "test,docs"],
}
OPS = ["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"]
VERSION_VARS = {"python_version", "python_full_version", "implementation_version", "platform_release"}


def value_for(variable):
    if variable in ("extra", "extras", "dependency_groups"):
        return rng.choice(VALUES["extra"])
    if variable.replace(".", "_") in VERSION_VARS or rng.random() < 0.1:
        return rng.choice(VALUES["version"])
    return rng.choice(VALUES["platform"])


def quote(value):
    if '"' in value:
        return "'" + value + "'"
    return rng.choice(["'", '"']).join(["", value, ""])


def ws():
    return rng.choice(["", " ", " ", "  ", "\t"])


def random_item():
    variable = rng.choice(VARIABLES)
    op = rng.choice(OPS)
    if variable in ("extras", "dependency_groups") and rng.random() < 0.7:
        op = rng.choice(["in", "not in"])
    lhs, rhs = variable, quote(value_for(variable))
    if op in ("in", "not in") and rng.random() < 0.5 or rng.random() < 0.15:
        lhs, rhs = rhs, lhs
    sep = " " if op in ("in", "not in") else ws()
    return lhs + sep + op + (" " if op in ("in", "not in") else ws()) + rhs


def random_marker(depth=0):
    parts = [random_atom(depth)]
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        parts.append(rng.choice(["and", "or"]))
        parts.append(random_atom(depth))
    return " ".join(parts)


def random_atom(depth):
    if depth < 2 and rng.random() < 0.2:
        inner = random_marker(depth + 1)
        return "(" + ws() + inner + ws() + ")"
    return random_item()


NAMES = ["requests", "Django", "zope.interface", "typing_extensions", "A", "a-b_c.d", "x1", "1x", "Foo__Bar",
         "pkg-", "_pkg", "-a", "a..b", "ñame", "name!", "py.test"]
SPECIFIERS = [">=1.0", "==2.*", "~=1.4.2", "!=1.5", "<2", "<=3.0a1", "===weird", "== 1.0", ">= 1.0 , < 2",
              "==1.0+local", ">=1.0+local", "~=1", "==1.*.1", "<=1.0.*", ">1!2.0.post1.dev3", "==V1.0", ">=1.0rc1",
              "==1.0-1", "!=2.0.dev", ">=1,<2,!=1.5", ">=1.0,", "~=1.0", "~=1.0.0", ">=1.0,>=1.0.0",
              ">=\x1c1.0", "==\u00a01.0", "> \u20281.0", "===\u00e9", "<1.0\n", "!=1.0.*"]
URLS = ["https://example.org/pkg-1.0-py3-none-any.whl", "file:///tmp/x.tar.gz", "git+https://h/r.git@v1#egg=x",
        "https://h/x.whl;python_version", "../relative/path", "http://h/a b"]


def random_requirement():
    name = rng.choice(NAMES)
    text = ws() + name + ws()
    if rng.random() < 0.35:
        extras = rng.sample(["security", "socks", "Test_Extra", "a", "b.c", "x-y", "a", "1"], rng.randint(0, 3))
        text += "[" + ws() + (ws() + "," + ws()).join(extras) + ws() + "]" + ws()
    r = rng.random()
    if r < 0.2:
        text += "@" + ws() + rng.choice(URLS)
        if rng.random() < 0.5:
            text += rng.choice([" ", "\t", " ", ""]) + ";" + ws() + random_marker()
        return text
    if r < 0.7:
        spec = ",".join(rng.sample(SPECIFIERS, rng.randint(1, 2)))
        text += ("(" + ws() + spec + ws() + ")") if rng.random() < 0.3 else spec
    if rng.random() < 0.5:
        text += ws() + ";" + ws() + random_marker()
    return text


def mutate(text):
    if not text:
        return "x"
    i = rng.randrange(len(text))
    choice = rng.random()
    if choice < 0.4:
        return text[:i] + text[i + 1:]
    if choice < 0.8:
        return text[:i] + rng.choice("()[];,@'\" =<>!~.*+-_\tab1\\") + text[i:]
    if choice < 0.85:
        return text[:i] + rng.choice(["é", "\u00a0", "\x1c", "\n", "\x0b", "_", "2", "\u0661"]) + text[i:]
    return text[:i] + text[i + 1:][::-1]


# ---------------------------------------------------------------------------------------
# known packaging bugs (exceptions) — detected so random cases avoid them
# ---------------------------------------------------------------------------------------
def _nested_extra_unnormalized(markers, top=True):
    for item in markers:
        if isinstance(item, list):
            if _nested_extra_unnormalized(item, False):
                return True
        elif isinstance(item, tuple) and not top:
            lhs, _, rhs = item
            for a, b in ((lhs, rhs), (rhs, lhs)):
                if isinstance(a, Variable) and a.value == "extra" and canonicalize_name(b.value) != b.value:
                    return True
    return False


def _lossy_parentheses(markers):
    """An or-group printed without parentheses next to 'and' (packaging drops ((...)))."""
    def single_wrapped(item):
        inner = item
        depth = 0
        while isinstance(inner, list) and len(inner) == 1 and isinstance(inner[0], list):
            inner = inner[0]
            depth += 1
        return depth, inner

    for index, item in enumerate(markers):
        if isinstance(item, list):
            depth, inner = single_wrapped(item)
            if depth >= 1 and "or" in inner and "and" in markers:
                return True
            if _lossy_parentheses(item) or _lossy_parentheses(inner):
                return True
    return False


def _unprintable_literal(markers):
    for item in markers:
        if isinstance(item, list) and _unprintable_literal(item):
            return True
        if isinstance(item, tuple):
            for node in (item[0], item[2]):
                if isinstance(node, Value) and re.search(r'["\n\r\x00\ud800-\udfff]|\\(?:$|[\\\'"abfnrtv0-7xuUN\n\r\x00])', node.value):
                    return True
    return False


def hits_known_bug(text, markers):
    if "\\N" in text or re.search("[\u0130\u0131\u017f\u212a]", text):
        return True
    return markers is not None and (
        _nested_extra_unnormalized(markers) or _lossy_parentheses(markers) or _unprintable_literal(markers)
    )


# ---------------------------------------------------------------------------------------
# oracle calls
# ---------------------------------------------------------------------------------------
def marker_case(text):
    try:
        m = Marker(text)
    except Exception as e:  # SyntaxError from literal_eval escapes packaging's wrapper
        return {"input": text, "error": type(e).__name__, "message": str(e)}, None
    return {"input": text, "str": str(m)}, m._markers


def requirement_case(text):
    try:
        r = Requirement(text)
    except Exception as e:
        return {"input": text, "error": type(e).__name__, "message": str(e)}, None
    case = {
        "input": text,
        "name": r.name,
        "extras": sorted(r.extras),
        "specifier": str(r.specifier),
        "url": r.url,
        "marker": None if r.marker is None else str(r.marker),
        "str": str(r),
    }
    return case, None if r.marker is None else r.marker._markers


def evaluate_case(marker, env_name, env):
    try:
        result = Marker(marker).evaluate(to_python_env(env), context="requirement")
    except Exception as e:
        return {"marker": marker, "env": env_name, "error": type(e).__name__}
    return {"marker": marker, "env": env_name, "result": result}


HANDWRITTEN_REQUIREMENTS = [
    "requests", "requests\n", " requests ", "requests [security , socks] >= 2.8.1, == 2.8.*",
    "name@http://foo.com", "name @ http://foo.com ; extra == 'feature'", "name @ http://foo.com;extra == 'x'",
    "name @ http://foo.com ;", "name @ ", "name @", "name[", "name[a b]", "name[a,]", "name[]", "name[a]]",
    "name (>=1.0", "name (>=1.0))", "name>=1.0 ; ", "name>=1.0;", "name;", "name ;python_version<'3'",
    "name >= 1.0 ; python_version < '3' and platform_system == 'Windows'", "name==1.0.*.*", "name>=1.0.*",
    "name<1.0+local", "name===1.0+local", "name===1,2", "name===1,>=2", "name===1,foo", "name>=1.0,", "name >=1.0 , ",
    "name>=1 2", "name>=1;", "name>=1 python_version", "name.", "name-", "1name", "na$me", "", " ", "\n",
    "name>=1.0\n", "name\n\n", "name; os_name=='a'\n", "name (==1.0) ; extra=='Test_Extra'",
    "name[Foo_Bar,foo-bar]", "name[a,a,b]", "name ( )", "name ()", "name>=1.0 , <2 ; (os_name == 'posix')",
    "name ; (extra == 'Foo_Bar')", "name ; ((python_version >= '3' or os_name == 'nt')) and sys_platform == 'linux'",
    "name ; os_name == '\"'", "name ; os_name == '\\x41'", "name ; os_name == '\\N{DIGIT ONE}'",
    "name ; os_name == '\\'", "name ; os_name == \"a\\\\\"", "name ; os_name == '\\x4'", "name ; os_name == 'a\nb'",
    "pkg~=1.0poſt", "pkg~=1.0prevıew", "name @ file:///a;b", "name @ file:///a ;b", "name@ https://x ;extra=='a'",
    "name (>=1.0) @ https://x", "name[extra] @ https://x", "name @ https://x ; os_name=='a' ", "name\t@\thttps://x\t;\tos_name=='a'",
]

HANDWRITTEN_MARKERS = [
    "python_version >= '3.8'", "python_version>='3.8'", 'python_version >= "3.8"', "os.name == 'posix'",
    "sys.platform == 'linux'", "platform.python_implementation == 'CPython'", "python_implementation == 'CPython'",
    "platform.machine == 'x86_64'", "platform.version == 'x'", "extra == 'Foo.Bar'", "'Foo.Bar' == extra",
    "extra == extra", "extra == python_version", "python_version == extra", "'a' in 'abc'", "'a' == 'b'",
    "python_version == python_full_version", "(extra == 'Foo_Bar')", "(extra == 'Foo_Bar') or os_name == 'a'",
    "os_name == 'a' and (extra == 'Foo_Bar')", "((os_name == 'a' or os_name == 'b')) and os_name == 'c'",
    "((os_name == 'a' and os_name == 'b')) or os_name == 'c'", "(((os_name == 'a')))", "((os_name == 'a' and os_name == 'b'))",
    "(os_name == 'a') and (os_name == 'b' or os_name == 'c')", "os_name == 'a' and ((os_name == 'b' or os_name == 'c'))",
    "os_name == 'a' or os_name == 'b' and os_name == 'c'", "(os_name == 'a' or os_name == 'b') and os_name == 'c'",
    "os_name == '\"'", "os_name == 'a\\\\b'", "os_name == '\\n'", "os_name == '\\x41'", "os_name == '\\101'",
    "os_name == '\\u00e9'", "os_name == '\\U0001F600'", "os_name == '\\d'", "os_name == '\\'", "os_name == '\\x4'",
    "os_name == '\\U00110000'", "os_name == '\\N{DIGIT ONE}'", "os_name == 'a\\\nb'", "os_name == 'a\nb'",
    "os_name == 'a\rb'", "os_name == 'a\x00b'", "os_name == 'é'", "os_name == '€'", "'linux' in sys_platform",
    "'Foo_Bar' in extras", "'dev' in dependency_groups", "'docs-all' not in dependency_groups", "extras == 'a'",
    "extras in 'a'", "'a' == extras", "'a' < extras", "'a' ~= extras", "python_version ~= '3.8'", "python_version ~= '3'",
    "python_version === '3.11'", "python_version === 'abc'", "os_name ~= 'posix'", "os_name === 'posix'",
    "os_name < 'posix'", "os_name <= 'posix'", "os_name > 'posix'", "os_name >= 'posix'", "python_version == '3.*'",
    "python_version == '3.11.*'", "python_version != '3.11.*'", "python_full_version == '3.14.0a1+local'",
    "python_full_version >= '3.14.0a1'", "python_full_version < '3.14'", "implementation_version >= '3.13.0rc1'",
    "platform_release >= '5.0'", "platform_release == 'abc'", "python_version == '=3.11'", "python_version in '3.11'",
    "python_version not in '3.10, 3.11'", "python_version < 'abc'", "python_version > 'abc'", "python_version <= 'abc'",
    "python_version == ' 3.11'", "python_version == '3.11 '", "python_version == 'v3.11'", "'3.8' < python_version",
    "os_name == 'posix' or extra == 'x'", "os_name notin 'posix'", "os_name not  in 'posix'", "os_name not\tin 'posix'",
    "os_name not in'posix'", "os_name in'posix'", "os_name=='a'and os_name=='b'", "os_name=='a'andos_name=='b'",
    "os_name == 'a' and", "and os_name == 'a'", "(os_name == 'a'", "os_name == 'a')", "()", "", " ", "os_name",
    "os_name ==", "== 'a'", "os_name = 'a'", "os_name == a", "unknown_var == 'a'", "python_version2 == '3'",
    "extra_foo == 'a'", "os_name == 'a'\n", "os_name == 'a'\n\n", "\tos_name == 'a'", "os_name == 'a' ; x",
    "OS_NAME == 'a'", "os_name AND os_name", "os_name == 'a' AND os_name == 'b'", "éos_name == 'a'", "os_nameé == 'a'",
    "os_name == 'a' andé os_name == 'b'", "os_name == 'a' or(os_name == 'b')", "(os_name == 'a')or(os_name == 'b')",
    "python_version >= '3.8' and python_version < '4' and (sys_platform == 'win32' or sys_platform == 'darwin')",
]


def main():
    envs = environments()
    requirements, markers, evaluations = [], [], []

    real = []
    for dist in importlib.metadata.distributions():
        real.extend(dist.requires or [])
    real = sorted(set(real))

    seen = set()
    for text in HANDWRITTEN_REQUIREMENTS + real:
        if text not in seen:
            seen.add(text)
            requirements.append(requirement_case(text)[0])
    while len(requirements) < 1000:
        text = random_requirement()
        if rng.random() < 0.3:
            text = mutate(text)
        if text in seen:
            continue
        case, tree = requirement_case(text)
        if hits_known_bug(text, tree):
            continue
        seen.add(text)
        requirements.append(case)

    marker_inputs = list(HANDWRITTEN_MARKERS)
    seen = set(marker_inputs)
    for text in real:
        if ";" in text:
            marker = text.split(";", 1)[1]
            if marker not in seen:
                seen.add(marker)
                marker_inputs.append(marker)
    for text in marker_inputs:
        markers.append(marker_case(text)[0])
    while len(markers) < 600:
        text = random_marker()
        if rng.random() < 0.3:
            text = mutate(text)
        if text in seen:
            continue
        case, tree = marker_case(text)
        if hits_known_bug(text, tree):
            continue
        seen.add(text)
        markers.append(case)

    # Evaluate every parseable handwritten marker, 100 of the real ones and 200 random ones.
    valid = {c["input"] for c in markers if "str" in c}
    handwritten = [m for m in HANDWRITTEN_MARKERS if m in valid]
    real_markers = [m for m in marker_inputs[len(HANDWRITTEN_MARKERS):] if m in valid]
    random_markers = [c["input"] for c in markers[len(marker_inputs):] if c["input"] in valid]
    evaluated = handwritten + rng.sample(real_markers, min(100, len(real_markers))) + random_markers[:200]
    for marker in evaluated:
        for env_name, env in envs.items():
            evaluations.append(evaluate_case(marker, env_name, env))

    names = []
    name_inputs = NAMES + ["Foo.Bar", "FOO-._-bar", "a", "A_", "__init__", "zope...interface", "Ǆ", "İ", "x" * 5,
                           "a-b", "a--b", "a.-_b", "", "-", "1", "1.0", "Straße", "ﬁle"]
    name_inputs += [n for n in (t.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].split("~")[0]
                                .split("!")[0].split("(")[0].split("@")[0].strip() for t in real)]
    for name in sorted(set(name_inputs)):
        names.append({
            "input": name,
            "normalized": canonicalize_name(name),
            "valid": bool(re.fullmatch(r"[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9]", name, re.IGNORECASE | re.ASCII)),
            "is_normalized": is_normalized_name(name),
        })

    data = {
        "meta": {
            "oracle": "packaging " + packaging.__version__,
            "python": sys.version.split()[0],
            "environments": envs,
        },
        "names": names,
        "requirements": requirements,
        "markers": markers,
        "evaluate": evaluations,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=0, sort_keys=True)
        f.write("\n")
    total = len(names) + len(requirements) + len(markers) + len(evaluations)
    print(
        f"wrote {total} cases to {os.path.relpath(OUT, ROOT)}: {len(names)} names, {len(requirements)} requirements, "
        f"{len(markers)} markers, {len(evaluations)} evaluations over {len(envs)} environments"
    )


if __name__ == "__main__":
    main()
