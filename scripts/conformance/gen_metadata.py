"""Oracle vectors for src/pep/metadata.ts and src/pep/dependency-groups.ts.

Runs packaging.metadata.parse_email + Metadata.from_raw on every METADATA of the interpreter's
site-packages (and on synthetic tricky inputs), plus importlib.metadata's view of each
installed distribution, and packaging.dependency_groups on synthetic [dependency-groups]
tables. The input texts are stored so the tests need neither Python nor site-packages.

Usage: <python 3.11.7 with packaging 26.2> scripts/conformance/gen_metadata.py
"""

import glob
import hashlib
import importlib.metadata
import json
import os
import sys

import email.parser
import email.policy

import packaging
from packaging.dependency_groups import DependencyGroupResolver
from packaging.metadata import Metadata, parse_email
from packaging.requirements import Requirement
from setuptools.dist import rfc822_unescape

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "conformance", "metadata.json")


def flatten_errors(exc):
    found = []
    for inner in getattr(exc, "exceptions", None) or [exc]:
        if getattr(inner, "exceptions", None):
            found.extend(flatten_errors(inner))
        else:
            found.append([getattr(inner, "field", None), str(inner)])
    return found


def describe(text):
    raw, unparsed = parse_email(text)
    raw = dict(raw)
    description = raw.pop("description", None)
    try:
        Metadata.from_email(text, validate=True)
        errors = []
    except Exception as exc:  # ExceptionGroup of InvalidMetadata
        errors = flatten_errors(exc)
    case = {"raw": raw, "unparsed": unparsed, "errors": errors}
    header = email.parser.Parser(policy=email.policy.compat32).parsestr(text).get_all("Description")
    if header is not None and len(header) == 1:
        # An independent decoding of the 8-space continuation escaping (setuptools').
        case["description_header_unescaped"] = rfc822_unescape(header[0])
    if description is not None:
        case["description_sha256"] = hashlib.sha256(description.encode("utf-8", "surrogatepass")).hexdigest()
        case["description_length"] = len(description)
    return case


def real_cases():
    site = os.path.join(sys.prefix, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
    cases = []
    for path in sorted(glob.glob(os.path.join(site, "*.dist-info", "METADATA"))):
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        dist = importlib.metadata.Distribution.at(os.path.dirname(path))
        case = {"id": os.path.basename(os.path.dirname(path)), "text": text}
        case.update(describe(text))
        case["importlib"] = {"name": dist.metadata["Name"], "version": dist.version, "requires": dist.requires or []}
        cases.append(case)
    return cases


# Real sdist/egg-info PKG-INFO files of older metadata versions, where this machine has them
# (Debian's dist-packages and bundled SDKs; absent on some images, so the list may shrink).
PKG_INFO_GLOBS = [
    "/usr/lib/python3/dist-packages/*.egg-info/PKG-INFO",
    "/usr/lib/google-cloud-sdk/**/PKG-INFO",
]


def pkg_info_cases():
    cases = []
    seen = set()
    for pattern in PKG_INFO_GLOBS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            try:
                with open(path, encoding="utf-8", newline="") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                continue
            if text in seen:
                continue
            seen.add(text)
            case = {"id": path, "text": text}
            case.update(describe(text))
            cases.append(case)
    return cases


# Real pyproject.toml files on this machine, with what tomllib reads from them.
PYPROJECT_GLOBS = [
    "/usr/lib/node_modules/npm/node_modules/node-gyp/gyp/pyproject.toml",
    "/usr/lib/google-cloud-sdk/**/pyproject.toml",
    os.path.join(sys.prefix, "..", "*", "lib", "python3.*", "test", "**", "pyproject.toml"),
]


def pyproject_cases():
    import tomllib

    cases = []
    seen = set()
    for pattern in PYPROJECT_GLOBS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if text in seen:
                continue
            seen.add(text)
            data = tomllib.loads(text)
            project = data.get("project")
            bs = data.get("build-system")
            cases.append({
                "id": path.split("/")[-2] + "/pyproject.toml",
                "text": text,
                "build_system": bs,
                "project": None if project is None else {
                    "name": project.get("name"),
                    "version": project.get("version"),
                    "dependencies": project.get("dependencies", []),
                    "optional_dependencies": {k: v for k, v in project.get("optional-dependencies", {}).items()},
                    "dynamic": project.get("dynamic", []),
                },
            })
    return cases


H = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\n"
SYNTHETIC = {
    "minimal": H,
    "crlf": H.replace("\n", "\r\n") + "Summary: s\r\n\r\nbody line\r\n",
    "lone-cr": "Metadata-Version: 2.1\rName: demo\rVersion: 1.0\rSummary: x\r\rbody\r",
    "no-trailing-newline": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0",
    "body": H + "\n# Title\n\nText\n",
    "body-empty-after-separator": H + "\n",
    "description-header": "Metadata-Version: 1.1\nName: demo\nVersion: 1.0\nDescription: first\n        second\n        \n        third\n",
    "description-pipe": "Metadata-Version: 1.2\nName: demo\nVersion: 1.0\nDescription: first\n       |second\n       |\n       |  indented\n",
    "description-both": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nDescription: header\n\nbody\n",
    "continuation-tab": H + "Summary: one\n\ttwo\n",
    "continuation-blank-spaces": H + "License: MIT\n   \n        more\n",
    "case-insensitive": "metadata-version: 2.1\nNAME: demo\nversion: 1.0\nrequires-dist: a\nREQUIRES-DIST: b\n",
    "no-space-after-colon": "Metadata-Version:2.1\nName:demo\nVersion:1.0\nSummary:\tx  \n",
    "empty-value": H + "Summary:\nKeywords:\n",
    "keywords-comma": H + "Keywords: a, b ,c,,\n",
    "keywords-space": H + "Keywords: a b c\n",
    "keywords-twice": H + "Keywords: a\nKeywords: b\n",
    "project-urls": H + "Project-URL: Home, https://e.example\nProject-URL: Docs,https://d.example, x\nProject-URL: NoComma\n",
    "project-urls-duplicate": H + "Project-URL: A, https://a\nProject-URL: A, https://b\n",
    "requires-dist": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: a>=1\nRequires-Dist: b[x] ; extra == \"y\"\nRequires-Dist: c @ https://example.com/c.whl\nProvides-Extra: y\n",
    "requires-dist-invalid": H + "Requires-Dist: a >=\n",
    "requires-dist-old-version": "Metadata-Version: 1.1\nName: demo\nVersion: 1.0\nRequires-Dist: a\n",
    "requires-python": H + "Requires-Python: >=3.8,<4\n",
    "requires-python-invalid": H + "Requires-Python: >=3.8.*\n",
    "requires-python-twice": H + "Requires-Python: >=3.8\nRequires-Python: >=3.9\n",
    "provides-extra-normalize": H + "Provides-Extra: Foo_Bar\nProvides-Extra: baz.qux\n",
    "provides-extra-invalid-new": H + "Provides-Extra: -bad-\n",
    "provides-extra-invalid-old": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nProvides-Extra: bad extra\n",
    "summary-twice": H + "Summary: a\nSummary: b\n",
    "summary-multiline": H + "Summary: a\n b\n",
    "unknown-field": H + "X-Custom: 1\nX-Custom: 2\n",
    "missing-name": "Metadata-Version: 2.1\nVersion: 1.0\n",
    "missing-version": "Metadata-Version: 2.1\nName: demo\n",
    "missing-metadata-version": "Name: demo\nVersion: 1.0\n",
    "name-twice": "Metadata-Version: 2.1\nName: demo\nName: other\nVersion: 1.0\n",
    "name-invalid": "Metadata-Version: 2.1\nName: -demo\nVersion: 1.0\n",
    "name-empty": "Metadata-Version: 2.1\nName:\nVersion: 1.0\n",
    "version-invalid": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0-foo-bar\n",
    "version-local": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0.post1.dev2+abc.1\n",
    "metadata-version-bad": "Metadata-Version: banana\nName: demo\nVersion: 1.0\n",
    "metadata-version-3": "Metadata-Version: 3.0\nName: demo\nVersion: 1.0\n",
    "metadata-version-2.0": "Metadata-Version: 2.0\nName: demo\nVersion: 1.0\nRequires-Dist: a\n",
    "metadata-version-2.6": "Metadata-Version: 2.6\nName: demo\nVersion: 1.0\n",
    "metadata-version-1.0": "Metadata-Version: 1.0\nName: demo\nVersion: 1.0\nSummary: s\nPlatform: UNKNOWN\nLicense: MIT\n",
    "license-file-old-version": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense-File: LICENSE\n",
    "license-files-bad": H + "License-File: ../LICENSE\nLicense-File: /abs\nLicense-File: a\\b\nLicense-File: *.txt\nLicense-File: ok/LICENSE\n",
    "license-expression": H + "License-Expression: MIT OR Apache-2.0\n",
    "dynamic": "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Requires-Dist\nDynamic: license\n",
    "dynamic-bad": "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Name\nDynamic: nonsense\n",
    "content-type-ok": H + "Description-Content-Type: text/markdown; charset=UTF-8; variant=CommonMark\n",
    "content-type-bad": H + "Description-Content-Type: text/html\n",
    "content-type-charset": H + "Description-Content-Type: text/x-rst; charset=latin-1\n",
    "content-type-variant": H + "Description-Content-Type: text/markdown; variant=Other\n",
    "import-names": "Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Name: demo\nImport-Name: demo._impl; private\nImport-Namespace: ns\n",
    "import-names-empty": "Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Name:\n",
    "import-names-bad": "Metadata-Version: 2.5\nName: demo\nVersion: 1.0\nImport-Name: class.x\nImport-Name: 1abc\nImport-Name: ok; public\n",
    "unicode": H + "Author: Jürgen Ünïcödé\nSummary: ✓ works\n\nDescription with ünïcödé\n",
    "bom": "\ufeff" + H,
    "supported-platform": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nSupported-Platform: linux\nPlatform: any\nRequires-External: libpq\nProvides-Dist: other (1.0)\nObsoletes-Dist: old\n",
    "deprecated-fields": "Metadata-Version: 1.1\nName: demo\nVersion: 1.0\nRequires: re\nProvides: demo\nObsoletes: old\n",
    # Inputs Python's email parser accepts by starting the body early; wheelwright rejects.
    "malformed-line": H + "this is not a header\nSummary: s\n",
    "malformed-first-continuation": " indented\n" + H,
    "malformed-empty-name": H + ": value\n",
    "malformed-space-in-name": H + "Bad Name: value\n",
}


def group_cases():
    tables = {
        "simple": {"test": ["pytest>7", "coverage"], "docs": ["sphinx"]},
        "include": {"docs": ["sphinx"], "coverage": ["coverage[toml]"], "test": ["pytest>7", {"include-group": "coverage"}]},
        "nested": {"a": ["x", {"include-group": "b"}, "y"], "b": [{"include-group": "c"}, "z"], "c": ["w"]},
        "normalize": {"Dev_Tools": ["black"], "all": [{"include-group": "dev.tools"}, {"include-group": "DEV-TOOLS"}]},
        "cycle-self": {"a": [{"include-group": "a"}]},
        "cycle-two": {"a": ["x", {"include-group": "b"}], "b": [{"include-group": "a"}], "c": ["ok"]},
        "cycle-three": {"a": [{"include-group": "b"}], "b": [{"include-group": "c"}], "c": [{"include-group": "a"}]},
        "unknown-include": {"a": [{"include-group": "missing"}]},
        "duplicate-names": {"Test": ["a"], "test": ["b"]},
        "bad-object": {"a": [{"include-group": "b", "extra": 1}], "b": ["x"]},
        "bad-requirement": {"a": ["not a requirement !!"]},
        "string-group": {"a": "pytest"},
        "diamond": {"top": [{"include-group": "l"}, {"include-group": "r"}], "l": [{"include-group": "base"}, "left"], "r": [{"include-group": "base"}, "right"], "base": ["b"]},
        "markers": {"a": ['foo>=1; python_version < "3.9"', "bar[x,y]==2.*"]},
        "empty": {"a": []},
    }
    cases = []
    for case_id, table in tables.items():
        try:
            resolver = DependencyGroupResolver(table)
        except Exception as exc:
            cases.append({"id": case_id, "table": table, "valid": False, "error": str(flatten_errors(exc))})
            continue
        groups = {}
        valid = True
        for name in table:
            try:
                resolved = [str(r) for r in resolver.resolve(name)]
                groups[name] = {"ok": resolved}
            except Exception as exc:
                valid = False
                groups[name] = {"error": [type(e).__name__ for e in (getattr(exc, "exceptions", None) or [exc])]}
        # Inputs are written in packaging's canonical form so raw strings compare directly.
        for name, result in groups.items():
            for req in result.get("ok", []):
                assert str(Requirement(req)) == req, req
        cases.append({"id": case_id, "table": table, "valid": valid, "groups": groups})
    return cases


def main():
    real = real_cases()
    synthetic = []
    for case_id, text in SYNTHETIC.items():
        case = {"id": case_id, "text": text}
        case.update(describe(text))
        synthetic.append(case)
    out = {
        "meta": {"oracle": "packaging %s, python %s" % (packaging.__version__, sys.version.split()[0])},
        "installed": real,
        "synthetic": synthetic,
        "pkg_info": pkg_info_cases(),
        "pyproject": pyproject_cases(),
        "dependency_groups": group_cases(),
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    print("metadata: %d installed, %d PKG-INFO, %d synthetic, %d pyproject, %d dependency-group cases -> %s" % (
        len(real), len(out["pkg_info"]), len(synthetic), len(out["pyproject"]), len(out["dependency_groups"]), os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
