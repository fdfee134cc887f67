"""wheelwright's PEP 517 / PEP 660 hook runner.

Run by a build environment's interpreter with the source tree as the working directory:

    <build-env>/bin/python -s hooks.py < request.json

The request is one JSON object:

    {"backend": "pkg.mod:obj", "backendPath": ["_build"], "hook": "build_wheel",
     "args": {"wheel_directory": "..."}, "configSettings": {...}, "output": "/abs/result.json"}

The hook's return value is written as JSON to `output` ({"ok": true, "result": ...} or
{"ok": false, "kind": ..., "message": ...}); the backend's own stdout/stderr go to the log.
Exit status: 0 when the hook ran (or was absent and has a default), 1 otherwise.
"""
import json
import os
import sys
import traceback


class HookError(Exception):
    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


def _isolate_sys_path():
    # sys.path[0] is this script's directory: nothing of ours may be importable by a backend.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != here]


def _load_backend(reference, backend_path):
    module_name, _, object_path = reference.partition(":")
    roots = [os.path.abspath(p) for p in backend_path]
    for root in reversed(roots):
        sys.path.insert(0, root)
    try:
        module = __import__(module_name, fromlist=["__name__"])
    except ImportError as error:
        if getattr(error, "name", None) and error.name.split(".")[0] != module_name.split(".")[0]:
            # the backend exists but imports something missing: that is the build's failure
            raise
        raise HookError("backend-unavailable", "cannot import build backend %r: %s" % (module_name, error))
    if roots:
        location = os.path.abspath(getattr(module, "__file__", "") or "")
        if not any(location == r or location.startswith(r + os.sep) for r in roots):
            raise HookError("backend-invalid", "backend %r was loaded from %s, outside its backend-path %s" % (module_name, location, roots))
    backend = module
    for part in filter(None, object_path.split(".")):
        backend = getattr(backend, part)
    return backend


def _call(backend, hook, args, config_settings):
    fn = getattr(backend, hook, None)
    if hook in ("get_requires_for_build_wheel", "get_requires_for_build_editable", "get_requires_for_build_sdist"):
        if fn is None:
            return {"ok": True, "result": [], "missing": True}
        return {"ok": True, "result": list(fn(config_settings))}
    if hook in ("prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable"):
        if fn is None:
            return {"ok": True, "result": None, "missing": True}
        return {"ok": True, "result": fn(args["metadata_directory"], config_settings)}
    if hook in ("build_wheel", "build_editable"):
        if fn is None:
            raise HookError("hook-missing", "the build backend has no %s hook%s" % (hook, " (it does not support PEP 660 editable installs)" if hook == "build_editable" else ""))
        metadata = args.get("metadata_directory")
        return {"ok": True, "result": fn(args["wheel_directory"], config_settings, metadata)}
    if hook == "build_sdist":
        if fn is None:
            raise HookError("hook-missing", "the build backend has no build_sdist hook")
        return {"ok": True, "result": fn(args["sdist_directory"], config_settings)}
    raise HookError("unknown-hook", "unknown hook %r" % hook)


def main():
    request = json.loads(sys.stdin.read())
    output = request["output"]
    _isolate_sys_path()
    try:
        backend = _load_backend(request["backend"], request.get("backendPath") or [])
        response = _call(backend, request["hook"], request.get("args") or {}, request.get("configSettings") or {})
        status = 0
    except HookError as error:
        response = {"ok": False, "kind": error.kind, "message": str(error)}
        status = 1
    except BaseException as error:  # the backend failed: report it, with its traceback in the log
        traceback.print_exc()
        response = {"ok": False, "kind": "backend-failed", "message": "%s: %s" % (type(error).__name__, error)}
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    with open(output, "w") as handle:
        json.dump(response, handle)
    return status


if __name__ == "__main__":
    sys.exit(main())
