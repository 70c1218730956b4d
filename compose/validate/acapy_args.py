"""Parse the compose agents' aca-py command lines with ACA-Py's own parser.

usage: python acapy_args.py PROJECT.json SERVICE...

PROJECT.json is the resolved compose project (compose-validate -json). For
each SERVICE: entrypoint must be aca-py, command must start with `start`;
its ACAPY_* environment is applied (ACA-Py reads secrets and tracing from
env) and the arguments go through `aca-py start`'s argument parser and every
argument group's get_settings (which rejects bad combinations, e.g.
--multitenant without a JWT secret). Prints one line per service with the
settings that matter; exits 1 on the first failure.
"""
import contextlib
import io
import json
import os
import sys

from aries_cloudagent.commands.start import init_argument_parser
from aries_cloudagent.config import argparse as arg


def check(name, svc):
    ep = svc.get("entrypoint") or []
    cmd = svc.get("command") or []
    if ep != ["aca-py"]:
        raise SystemExit(f"{name}: entrypoint is {ep}, want ['aca-py']")
    if not cmd or cmd[0] != "start":
        raise SystemExit(f"{name}: command does not start with 'start': {cmd[:3]}")
    for k in [k for k in os.environ if k.startswith("ACAPY_")]:
        del os.environ[k]
    for k, v in (svc.get("environment") or {}).items():
        if k.startswith("ACAPY_") and v is not None:
            os.environ[k] = v
    # get_settings posts a probe trace event to the target: send it to the
    # log instead (the compose target only resolves inside the project)
    target = os.environ.get("ACAPY_TRACE_TARGET", "")
    if target.startswith(("http://", "https://")):
        os.environ["ACAPY_TRACE_TARGET"] = "log"
    parser = arg.create_argument_parser(prog="aca-py start")
    get_settings = init_argument_parser(parser)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            args = parser.parse_args(cmd[1:])
            settings = get_settings(args)
    except SystemExit as e:
        err = out.getvalue().strip().splitlines()[-1:] or [""]
        raise SystemExit(f"{name}: aca-py start rejects the arguments (exit {e.code}): {err[0]}")
    except Exception as e:  # ArgsParseError and friends
        raise SystemExit(f"{name}: aca-py start rejects the arguments: {e}")
    if settings.get("trace.target") == "log" and target != "log":
        settings["trace.target"] = target
    keys = ["trace.label", "trace.target", "trace.tag", "trace.enabled",
            "wallet.storage_type", "multitenant.enabled", "mediation.open",
            "admin.admin_insecure_mode", "admin.admin_api_key"]
    shown = {k: ("<set>" if k == "admin.admin_api_key" and settings.get(k) else settings.get(k))
             for k in keys if k in settings}
    print(f"{name}: ok {json.dumps(shown, sort_keys=True)}")
    return settings


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    project = json.load(open(sys.argv[1]))
    for name in sys.argv[2:]:
        svc = project["services"].get(name)
        if svc is None:
            raise SystemExit(f"{name}: no such service")
        check(name, svc)


if __name__ == "__main__":
    main()
