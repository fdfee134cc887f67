"""Byte-compile installed Python files for wheelwright: a worker run by the TARGET interpreter.

The worker stays alive across requests (one sync feeds it every wheel it installs) and
serves them one at a time. A request is one line of JSON on stdin:
    {"id": n, "items": [[path, display_path], ...], "legacy_mtime": int, "return_bytes": bool}
A path is a .py file or a directory (walked in sorted order, __pycache__ skipped). The
display path is what the code objects record as their file name (the final, post-rename
location), so tracebacks point at the installed tree rather than the temporary build dir.

The reply on stdout is one line of JSON, then `payload` raw bytes:
    {"id": n, "compiled": [[source, pyc, length], ...], "failed": [[source, message], ...],
     "payload": total}
or {"id": n, "error": message, "payload": 0} when the request could not be served. With
return_bytes, a pyc whose length is >= 0 was NOT written: its bytes are the next `length`
bytes of the payload (in `compiled` order) and the caller writes them. A length of -1 means
the worker wrote the pyc itself (always without return_bytes, and on interpreters whose
importlib cannot hand the bytes over).

Deterministic output whatever the worker compiled before. marshal sees the process's
history in two ways: whether a string it writes is interned, and whether an object is
referenced more than once (back-reference flag). Objects a compile creates depend on that
compile alone; what it shares with the rest of the process are cached singletons (small
ints, the empty and one-character strings: always referenced more than once) and interned
names (always interned, and flagged). The one thing that changes as a process compiles is
whether a one-character or empty string singleton has been interned yet (a `'}'` constant
is written as interned or not depending on what ran before), so the worker interns all of
them before its first request; and it imports up front the modules compiling may import on
first need, so the set of live objects stays the same. test/install/bytecode.test.ts checks
this against fresh interpreters for every Python here. (Forking a pristine child per
request would also isolate requests, but costs ~50 ms of page faults per fork on a VM, more
than the interpreter start it replaces.) Python >= 3.7 writes unchecked-hash pycs (no mtime in the header, and never re-validated: the store is
immutable). Older interpreters only have mtime pycs; their sources' mtimes are first set
to legacy_mtime so the output is still reproducible. Files that don't compile (e.g. Python 2
sources shipped in a py3 wheel) are reported and skipped, as pip does.
Runs on Python 2.7 and every 3.x.
"""
import io
import json
import os
import py_compile
import sys
import traceback
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

# What py_compile.compile does for an unchecked-hash pyc, minus the write (3.7 up to 3.13
# spell it the same way). Missing pieces (another implementation) mean the worker writes.
_code_to_hash_pyc = None
if HASH_PYCS:
    try:
        import importlib.machinery
        import importlib.util
        from importlib import _bootstrap_external

        _code_to_hash_pyc = _bootstrap_external._code_to_hash_pyc
        _source_hash = importlib.util.source_hash
        _SourceFileLoader = importlib.machinery.SourceFileLoader
    except (ImportError, AttributeError):
        _code_to_hash_pyc = None


def pyc_bytes(source, display):
    loader = _SourceFileLoader("<py_compile>", source)
    source_bytes = loader.get_data(source)
    try:
        code = loader.source_to_code(source_bytes, display)
    except Exception as err:
        raise py_compile.PyCompileError(err.__class__, err, display)
    return _code_to_hash_pyc(code, _source_hash(source_bytes), False)


def compile_one(source, display, request, compiled, failed, payload):
    pyc = cache_from_source(source)
    try:
        if HASH_PYCS and request.get("return_bytes") and _code_to_hash_pyc is not None:
            data = pyc_bytes(source, display)
            compiled.append([source, pyc, len(data)])
            payload.append(data)
            return
        if HASH_PYCS:
            py_compile.compile(
                source,
                cfile=pyc,
                dfile=display,
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        else:
            legacy_mtime = request.get("legacy_mtime", 1)
            os.utime(source, (legacy_mtime, legacy_mtime))
            py_compile.compile(source, pyc, display, True)
    except (py_compile.PyCompileError, SyntaxError, UnicodeError, ValueError, EnvironmentError) as error:
        text = str(error).strip()
        failed.append([source, text.splitlines()[-1] if text else type(error).__name__])
        return
    compiled.append([source, pyc, -1])


def walk(root, display_root):
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        rel = os.path.relpath(directory, root)
        for name in sorted(files):
            if name.endswith(".py"):
                display = os.path.normpath(os.path.join(display_root, rel, name))
                yield os.path.join(directory, name), display


def handle(request):
    compiled = []
    failed = []
    payload = []
    for path, display in request["items"]:
        if os.path.isdir(path):
            for source, source_display in walk(path, display):
                compile_one(source, source_display, request, compiled, failed, payload)
        elif path.endswith(".py") and os.path.isfile(path):
            compile_one(path, display, request, compiled, failed, payload)
    body = b"".join(payload)
    header = {"id": request.get("id"), "compiled": compiled, "failed": failed, "payload": len(body)}
    return json.dumps(header).encode("utf-8") + b"\n" + body


def write_all(fd, data):
    offset = 0
    while offset < len(data):
        offset += os.write(fd, data[offset:offset + (1 << 20)])


def intern_singletons():
    """Interns the empty and every one-character Latin-1 string (shared singletons) now, so
    whether a pyc writes them as interned does not depend on what was compiled before."""
    try:
        intern = sys.intern
        char = chr
    except AttributeError:  # Python 2
        import __builtin__

        intern = __builtin__.intern
        char = chr
    for code in range(256):
        intern(char(code))
    intern("")


def error_reply(request, message):
    return json.dumps({"id": request.get("id"), "error": message, "payload": 0}).encode("utf-8") + b"\n"


def main():
    os.umask(0o022)
    warnings.filterwarnings("ignore")
    # Modules compiling may import on first need (non-ASCII identifiers, error reports):
    # imported up front, so the worker's set of live objects stays the same from the first
    # request to the last.
    for name in ("unicodedata", "tokenize", "linecache", "traceback"):
        try:
            __import__(name)
        except ImportError:
            pass
    intern_singletons()
    stdin = io.open(0, "rb", closefd=False)
    while True:
        line = stdin.readline()
        if not line:
            return
        if not line.strip():
            continue
        request = json.loads(line.decode("utf-8"))
        try:
            reply = handle(request)
        except Exception:
            reply = error_reply(request, traceback.format_exc().strip().splitlines()[-1])
        write_all(1, reply)


if __name__ == "__main__":
    main()
