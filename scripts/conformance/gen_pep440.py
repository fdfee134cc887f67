"""Writes test/conformance/pep440.json: PEP 440 cases answered by `packaging` (the oracle).

Run with the pyenv 3.11.7 interpreter (packaging 26.2). Output is deterministic (seeded RNG,
sorted inputs), so re-running without changes yields an identical file.

Categories (each a list; every element is one case):
  versions       {input, valid, normalized, parts...}   validity, normalization, properties
  sort           [version, rank]                       rank of each version in sorted order
  comparisons    [a, b, cmp]                           pairwise ordering (-1, 0, 1)
  membership     [spec, version, none, true, false]    SpecifierSet(spec).contains(version, prereleases=...)
  invalid_specifiers  [spec]                           SpecifierSet(spec) raises InvalidSpecifier
  formatting     [spec, str]                           str(SpecifierSet(spec))
  filter         [spec, versions, none, true, false]   list(SpecifierSet(spec).filter(versions, prereleases=...))
Integers are written as strings so that huge numbers survive JSON in JavaScript.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import packaging
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

SEED = 440
OUT = Path(__file__).resolve().parents[2] / "test" / "conformance" / "pep440.json"

rnd = random.Random(SEED)

# --- version spellings --------------------------------------------------------------------

HAND_VERSIONS = [
    "1.0", "1.0.0", "1", "0", "0.0", "00", "01.02.03", "1.2.3.4.5.6.7.8", "2!1.0", "0!1.0", "00!1.0",
    "v1.0", "V1.0", "  1.0  ", "\t1.0\n", "\u00a01.0", "\u30001.0\u3000", "\x1c1.0", "\x851.0", "\ufeff1.0",
    "1.0a1", "1.0A1", "1.0alpha1", "1.0ALPHA1", "1.0.alpha.1", "1.0-alpha-1", "1.0_alpha_1", "1.0a", "1.0alpha",
    "1.0b2", "1.0beta2", "1.0-beta.2", "1.0rc3", "1.0c3", "1.0pre3", "1.0preview3", "1.0-pre-3", "1.0.RC.3",
    "1.0.post1", "1.0post1", "1.0-post1", "1.0_post_1", "1.0.rev1", "1.0r1", "1.0-r-1", "1.0.post", "1.0-1",
    "1.0-0", "1.0.post0", "1.0.dev1", "1.0dev1", "1.0-dev1", "1.0.dev", "1.0_dev_1", "1.0DEV1",
    "1.0a1.post2.dev3", "1.0a1-2", "1.0rc1.dev1", "1.0.post1.dev1", "1!1.0a1.post1.dev1+abc.1",
    "1.0+abc", "1.0+ABC.1", "1.0+abc-1_2.3", "1.0+1", "1.0+01", "1.0+abc.007", "1.0+a.b.c.d", "1.0+1a",
    "1.0+ubuntu-1", "1.0+ubuntu.1", "1.0+ubuntu_1",
    "12345678901234567890.1", "1.99999999999999999999999", "1!99999999999999999999999.0", "1.0.post99999999999999999999",
    "1.0+99999999999999999999", "9007199254740993", "9007199254740992.1",
    # invalid
    "", " ", "a", "1.", ".1", "1..0", "1.0.", "1.0+", "1.0+abc.", "1.0+.abc", "1.0++abc", "1.0+abc_",
    "1.0a1a1", "1.0.post1.post2", "1.0.dev1.dev2", "1.0-", "1.0--1", "1!", "!1.0", "1!2!3.0", "1.0-post-",
    "1.0.*", "==1.0", ">=1.0", "1.0 a1", "1 .0", "1.0\u00e91", "\u0661.0", "1.0\u2024", "1.0 + abc",
    "1,0", "1_0", "1-0", "v", "vv1.0", "v 1.0", "1.0v", "1.0rc1c1", "1.0post-", "1.0.dev-", "1.0-dev-1-",
    "1.0+\u00e9", "1.0a1+", "1.0.1.dev1.post1", "1.0.dev1a1", "1.0.post1a1", "1.0+local+local", "1e3",
    "1.0\x00", "1.0 dev1", "2023.10.01-rc1", "1.0-alpha", "1.0.a-1", "1.0.-1", "1.0poſt1", "1.0prevıew1",
]

PRE_SPELL = {"a": ["a", "alpha", "A", "Alpha", "ALPHA"], "b": ["b", "beta", "B", "Beta"], "rc": ["rc", "c", "pre", "preview", "RC", "C", "Pre", "PREVIEW"]}
POST_SPELL = ["post", "rev", "r", "POST", "Rev", "R"]
SEPS = ["", ".", "-", "_"]


def num(small: bool = True) -> int:
    r = rnd.random()
    if r < 0.02 and not small:
        return rnd.randrange(10**18, 10**25)
    return rnd.choice([0, 0, 1, 1, 2, 3, 5, 9, 10, 11, 20, 99, 100]) if small else rnd.randrange(0, 1000)


def digits(n: int) -> str:
    s = str(n)
    return "0" * rnd.choice([0, 0, 0, 0, 1, 2]) + s


def spell_version(epoch, release, pre, post, dev, local, fancy: bool) -> str:
    """Writes the parts in a random PEP 440 spelling (canonical when not fancy)."""
    s = ".".join(digits(p) if fancy else str(p) for p in release)
    if epoch:
        s = f"{digits(epoch) if fancy else epoch}!{s}"
    if fancy and rnd.random() < 0.1:
        s = rnd.choice(["v", "V"]) + s
    if pre is not None:
        letter, n = pre
        if fancy:
            implicit = n == 0 and rnd.random() < 0.3
            s += rnd.choice(SEPS) + rnd.choice(PRE_SPELL[letter]) + ("" if implicit else rnd.choice(SEPS) + digits(n))
        else:
            s += f"{letter}{n}"
    if post is not None:
        if fancy and rnd.random() < 0.25 and (pre is None or rnd.random() < 0.5):
            s += f"-{digits(post)}"
        elif fancy:
            implicit = post == 0 and rnd.random() < 0.3
            s += rnd.choice(SEPS) + rnd.choice(POST_SPELL) + ("" if implicit else rnd.choice(SEPS) + digits(post))
        else:
            s += f".post{post}"
    if dev is not None:
        if fancy:
            implicit = dev == 0 and rnd.random() < 0.3
            s += rnd.choice(SEPS) + rnd.choice(["dev", "DEV", "Dev"]) + ("" if implicit else rnd.choice(SEPS) + digits(dev))
        else:
            s += f".dev{dev}"
    if local is not None:
        if fancy:
            parts = [p.upper() if rnd.random() < 0.2 else p for p in local.split(".")]
            out = parts[0]
            for p in parts[1:]:
                out += rnd.choice([".", "-", "_"]) + p
            s += "+" + out
        else:
            s += "+" + local
    if fancy and rnd.random() < 0.08:
        s = rnd.choice([" ", "\t", "\n", "\u3000"]) + s + rnd.choice(["", " ", "\r\n"])
    return s


def random_parts(small: bool = True):
    epoch = rnd.choice([0] * 12 + [1, 2])
    release = tuple(num(small) for _ in range(rnd.choice([1, 2, 2, 3, 3, 3, 4])))
    if release[0] == 0 and rnd.random() < 0.5:
        release = (1,) + release[1:]
    pre = (rnd.choice(["a", "b", "rc"]), num()) if rnd.random() < 0.35 else None
    post = num() if rnd.random() < 0.25 else None
    dev = num() if rnd.random() < 0.25 else None
    local = None
    if rnd.random() < 0.2:
        local = ".".join(rnd.choice(["ubuntu", "abc", "1", "2", "10", "01", "a1", "deb", "cu118", "0", "z"]) for _ in range(rnd.randint(1, 3)))
    return epoch, release, pre, post, dev, local


def mutate(s: str) -> str:
    """Breaks (usually) a valid spelling to probe the invalid side of the grammar."""
    ops = [
        lambda t: t + rnd.choice([".", "-", "_", "+", "!", "*", ".*", "a1a", "x", "..1"]),
        lambda t: rnd.choice([".", "-", "_", "+", "!", "x", "=="]) + t,
        lambda t: t.replace(".", rnd.choice(["..", ",", " ", ""]), 1),
        lambda t: t[: len(t) // 2] + rnd.choice([" ", "!", "+", "#", "@", "\u00e9"]) + t[len(t) // 2 :],
        lambda t: t.replace("+", "++") if "+" in t else t + "+",
    ]
    return rnd.choice(ops)(s)


def describe(s: str) -> dict:
    try:
        v = Version(s)
    except InvalidVersion:
        return {"input": s, "valid": False}
    return {
        "input": s,
        "valid": True,
        "normalized": str(v),
        "epoch": str(v.epoch),
        "release": [str(p) for p in v.release],
        "pre": None if v.pre is None else [v.pre[0], str(v.pre[1])],
        "post": None if v.post is None else str(v.post),
        "dev": None if v.dev is None else str(v.dev),
        "local": v.local,
        "public": v.public,
        "base_version": v.base_version,
        "is_prerelease": v.is_prerelease,
        "is_postrelease": v.is_postrelease,
        "is_devrelease": v.is_devrelease,
    }


version_inputs: list[str] = list(HAND_VERSIONS)
seen = set(version_inputs)
while len(version_inputs) < 520:
    parts = random_parts(small=rnd.random() < 0.8)
    s = spell_version(*parts, fancy=True)
    if rnd.random() < 0.3:
        s = mutate(s)
    if s not in seen:
        seen.add(s)
        version_inputs.append(s)
versions_cases = [describe(s) for s in version_inputs]

# --- ordering -----------------------------------------------------------------------------

FAMILY_SUFFIXES = [
    ".dev0", ".dev1", "a0.dev0", "a0", "a1.dev0", "a1", "a1.post0.dev0", "a1.post0", "a1.post1", "a2", "b1",
    "rc1.dev1", "rc1", "", "+local", "+1", "+abc.1", "+abc.2", "+0", ".post0.dev0", ".post0", ".post1.dev0",
    ".post1", ".post1+x", ".post2",
]
order_pool: set[str] = set()
for base in ["1.0", "1.0.0", "1", "1.0.1", "0.9", "1!0.1", "2.0", "1.1", "0", "0.0.0.1"]:
    for suf in FAMILY_SUFFIXES:
        order_pool.add(base + suf)
while len(order_pool) < 330:
    order_pool.add(spell_version(*random_parts(small=True), fancy=rnd.random() < 0.5))
order_pool.update(["1.0+a", "1.0+A.1", "1.0+a.1", "1.0+a.b", "1.0+1.a", "1.0+01", "1.0+2", "1.0+10", "1.0+a10", "1.0+a9"])
order_pool.update(["99999999999999999999.0", "99999999999999999998.9", "1.0.post99999999999999999999", "1.0.post100000000000000000000"])
order_list = sorted(order_pool)
ranked = sorted(order_list, key=Version)
ranks: dict[str, int] = {}
rank = -1
previous = None
for s in ranked:
    v = Version(s)
    if previous is None or v != previous:
        rank += 1
        previous = v
    ranks[s] = rank
sort_cases = [[s, ranks[s]] for s in order_list]


def cmp(a: str, b: str) -> int:
    va, vb = Version(a), Version(b)
    return -1 if va < vb else (1 if va > vb else 0)


comparison_cases = []
valid_inputs = [c["input"] for c in versions_cases if c["valid"]]
for _ in range(4200):
    if rnd.random() < 0.6:
        # Neighbours in sorted order make the hard cases (equal keys, adjacent suffixes).
        i = rnd.randrange(len(ranked))
        j = min(len(ranked) - 1, max(0, i + rnd.randint(-3, 3)))
        a, b = ranked[i], ranked[j]
    else:
        a, b = rnd.choice(valid_inputs + order_list), rnd.choice(valid_inputs + order_list)
    comparison_cases.append([a, b, cmp(a, b)])

# --- specifiers ---------------------------------------------------------------------------

OPS = ["==", "!=", "<=", ">=", "<", ">", "~=", "==="]


def spec_versions() -> list[str]:
    return ["1.0", "1.0.0", "1", "1.1", "2.0", "1.0a1", "1.0rc1", "1.0.post1", "1.0.dev1", "1.0a1.dev1", "1.0.post1.dev1",
            "1.0+local", "1!1.0", "1.2.3", "1.2.3rc2", "0.9", "2.0.post0", "1.0b2.post1", "0"]


def random_clause() -> str:
    op = rnd.choice(OPS + ["==", ">=", "<", ">", "~=", "!="])
    ver = rnd.choice(spec_versions()) if rnd.random() < 0.6 else spell_version(*random_parts(), fancy=rnd.random() < 0.3)
    if op in ("==", "!=") and rnd.random() < 0.3:
        base = Version(ver.strip()).base_version if rnd.random() < 0.8 else ver
        ver = base + ".*"
    if op == "~=" and rnd.random() < 0.5:
        ver = rnd.choice(["1.0", "1.0.0", "1.2.3", "1.0a1", "1.0.post1", "2.0.dev1", "v1.4.5", "V1.4.5", "1.4.5.c1", "1.4.5.RC1",
                          "1.4.5.r1", "1.4.5-1", "1.4.5.pre1", "1!1.4.5", "v1!1.4.5", "01.04.05", "1.4.5alpha1", "1.4.5.Dev1", "1.4.5rc1"])
    if op == "===" and rnd.random() < 0.5:
        ver = rnd.choice(["foo", "FOO", "1.0", "1.0.0", "v1.0", "1.0a1", "1.0-1", "1.0.post1", "lolwat", "1.0+Local"])
    spaced = rnd.random() < 0.15
    return (" " if spaced else "") + op + (" " if spaced else "") + ver


def candidates_for(spec: str) -> list[str]:
    """Versions near the ones a set mentions, where the operator rules bite."""
    out = set()
    for clause in spec.split(","):
        text = clause.strip().lstrip("=!<>~").strip().rstrip("*").rstrip(".")
        try:
            v = Version(text)
        except InvalidVersion:
            out.add(text)
            continue
        base = v.base_version
        for suf in ["", ".dev0", "a1", "rc1", ".post1", ".post1.dev0", "+local", ".post0+x", "b1+x", ".0", ".0.1", ".1"]:
            out.add(base + suf)
        out.add(str(v))
        out.add(v.public + ".post2")
        rel = list(v.release)
        rel[-1] += 1
        out.add(".".join(map(str, rel)))
        out.add(".".join(map(str, rel)) + "a1")
        if len(rel) > 1:
            rel2 = list(v.release)
            rel2[-2] += 1
            out.add(".".join(map(str, rel2[:-1])))
    out.update(["0", "3.0", "1!0.5", "foo", "FOO", "1.0.0", "V1.0", " 1.0", "1.0a1"])
    return sorted(out)


def contains(ss: SpecifierSet, v: str, pre):
    return ss.contains(v, prereleases=pre)


membership_cases = []
invalid_specifiers: list[str] = []
formatting_cases = []
filter_cases = []
crashes = []

spec_inputs: list[str] = [
    "", ",", " , ", ">=1.0", ">=1.0,<2.0", ">=1.0,,<2.0", "==1.*", "==1.0.*", "!=1.0.*", "==1!1.*", "==1.0.0.*", "==v1.*",
    "~=1.0", "~=1.0.0", "~=1.4.5a4", "~=2.2.post3", "~=1!1.0", "~=1.0.dev1", "~=v1.4.5", "~=1.4.5.c1", "~=1.4.5.r1",
    "===foo", "===1.0", "===1.0,>=1", "===foo,===FOO", ">1.0", ">1.0.post1", ">1.0a1", ">1.0.dev1", ">1.0+local",
    "<1.0", "<1.0a1", "<1.0.post1", "<1.0.dev0", "<0.dev0", "<=1.0", ">=1.0a1", "==1.0+local", "==1.0+LOCAL",
    "!=1.0+local", "!=1.0", "==1.0", "== 1.0", " >= 1.0 , < 2.0 ", ">=1.0,!=1.5.*,<2", ">=1.0a1,<1.0", ">=2,<1",
    "==1.0,!=1.0", ">=1.0.dev0", "===1.0a1", "~=1.0a1", "<=1.0.post1", ">=1!0", "==0.*", "!=0.*", "==1.0rc1",
    ">1", ">1.0.0", "<2", "<2.0.0", ">=1.0,<=1.0", "==1.0,==1.0.0", ">=1.0,>=1.0.0,<2,<2.0", "!=1.0,!=1.0.0",
]
while len(spec_inputs) < 330:
    spec_inputs.append(",".join(random_clause() for _ in range(rnd.choice([1, 1, 2, 2, 3]))))

INVALID_SPECS = [
    "1.0", "=1.0", "==", ">=", "=>1.0", "==1.0a1.*", "==1.*.0", "~=1", "~=1.*", "~=1.0+local", "<=1.*", ">=1.*",
    "<1.0+local", ">1.0+local", ">=1.0+abc", "==1.0+", "==1.0 + local", "=== foo bar", "===foo)", "===foo;bar",
    "==1.0.*+local", "!=1.0.post1.*", ">= 1.0 2.0", ">=1.0;python_version<'3'", "<>1.0", "!1.0", "!==1.0",
    ">=1.0,lolwat", ">=1.0,<", "~= 1", "==1.0.dev1.*", "===", "=== ", "===\u00a0foo", "== 1.0\u00e9", "~=1.0poſt1",
    "~=1.0prevıew1", ">=1.0poſt1", "==1.0poſt1", ">==1.0", "=<1.0", "==-1.0", "==1.0..0", "== v 1.0", "~=v1", ">=1!",
    ">=!1.0", ">= *", "==*", "!=*", "==1.0,", ">=1.0,,", "(>=1.0)", ">=1.0 <2.0", "==1.0\u30002",
]

for spec in INVALID_SPECS + [mutate(random_clause()) for _ in range(200)]:
    try:
        ss = SpecifierSet(spec)
    except InvalidSpecifier:
        invalid_specifiers.append(spec)
        continue
    spec_inputs.append(spec)

seen_specs: set[str] = set()
for spec in spec_inputs:
    if spec in seen_specs:
        continue
    seen_specs.add(spec)
    try:
        ss = SpecifierSet(spec)
    except InvalidSpecifier:
        invalid_specifiers.append(spec)
        continue
    try:
        cands = candidates_for(spec)
        rnd.shuffle(cands)
        chosen = sorted(cands[:10])
        rows = [[spec, v, contains(ss, v, None), contains(ss, v, True), contains(ss, v, False)] for v in chosen]
        text = str(ss)
        flt = [list(ss.filter(chosen, prereleases=p)) for p in (None, True, False)]
    except Exception as e:  # noqa: BLE001 - packaging crashes on a few inputs; recorded, not guessed
        crashes.append([spec, f"{type(e).__name__}: {e}"])
        continue
    membership_cases.extend(rows)
    formatting_cases.append([spec, text])
    filter_cases.append([spec, chosen, *flt])

data = {
    "meta": {
        "generator": "scripts/conformance/gen_pep440.py",
        "oracle": f"packaging {packaging.__version__} on Python {sys.version.split()[0]}",
        "seed": SEED,
        "crashes": crashes,
    },
    "versions": versions_cases,
    "sort": sort_cases,
    "comparisons": comparison_cases,
    "membership": membership_cases,
    "invalid_specifiers": sorted(set(invalid_specifiers)),
    "formatting": formatting_cases,
    "filter": filter_cases,
}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(data, ensure_ascii=True, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
counts = {k: len(v) for k, v in data.items() if k != "meta"}
print(f"wrote {OUT.relative_to(OUT.parents[2])}: {sum(counts.values())} cases {counts}; packaging crashed on {len(crashes)} specifier sets")
