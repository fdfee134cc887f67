"""Byte-compile installed Python files for wheelwright, run by the TARGET interpreter.

Reads one JSON request on stdin:
    {"items": [[path, display_path], ...], "legacy_mtime": int}
A path is a .py file or a directory (walked in sorted order, __pycache__ skipped). The
display path is what the code objects record as their file name (the final, post-rename
location), so tracebacks point at the installed tree rather than the temporary build dir.

Writes one JSON reply on stdout:
    {"compiled": [[source, pyc], ...], "failed": [[source, message], ...]}

Files that don't compile (e.g. Python 2 sources shipped in a py3 wheel) are reported and
skipped, as pip does. Python >= 3.7 writes unchecked-hash pycs (no mtime in the header, and
never re-validated: the store is immutable). Older interpreters only have mtime pycs; their
sources' mtimes are first set to legacy_mtime so the output is still reproducible.
Runs on Python 2.7 and every 3.x.
"""
import json
import os
import py_compile
import sys
import warnings

try:
    from importlib.util import cache_from_source
except ImportError:  # Python < 3.4
    try:
        from imp import cache_from_source
    except ImportError:  # Python 2
        def cache_from_source(path):
            return path + "c"

HASH_PYCS = sys.version_info >= (3, 7)


def compile_one(source, display, legacy_mtime, compiled, failed):
    pyc = cache_from_source(source)
    try:
        if HASH_PYCS:
            py_compile.compile(
                source,
                cfile=pyc,
                dfile=display,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        else:
            os.utime(source, (legacy_mtime, legacy_mtime))
            py_compile.compile(source, pyc, display, True)
    except (py_compile.PyCompileError, SyntaxError, UnicodeError, ValueError, EnvironmentError) as error:
        failed.append([source, str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__])
        return
    compiled.append([source, pyc])


def walk(root, display_root):
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        rel = os.path.relpath(directory, root)
        for name in sorted(files):
            if name.endswith(".py"):
                display = os.path.normpath(os.path.join(display_root, rel, name))
                yield os.path.join(directory, name), display


def main():
    request = json.loads(sys.stdin.read())
    legacy_mtime = request.get("legacy_mtime", 1)
    compiled = []
    failed = []
    os.umask(0o022)
    warnings.filterwarnings("ignore")
    for path, display in request["items"]:
        if os.path.isdir(path):
            for source, source_display in walk(path, display):
                compile_one(source, source_display, legacy_mtime, compiled, failed)
        elif path.endswith(".py") and os.path.isfile(path):
            compile_one(path, display, legacy_mtime, compiled, failed)
    sys.stdout.write(json.dumps({"compiled": compiled, "failed": failed}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
