"""Test suites of a lab and how to run them.

A lab's Makefile writes build/<cfg>/labs/<lab>/suites.txt (see mk/lab.mk), one suite a
line: "cmocka BIN", "fail FILE", "tap NAME COMMAND", plus "lab ID DIR" and "failcc CMD".
Every test has an id: "BIN:test" for cmocka, "fail:STEM" for compile-fail files,
"SUITE:name" for TAP suites. Each run returns Result objects; a crash, a hang past the
timeout or a missing binary is a failed result that says why, never an exception.
"""
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class Suite:
    kind: str  # cmocka | fail | tap
    name: str
    arg: str  # binary path, source file, or shell command


@dataclass
class Lab:
    id: str
    dir: str
    failcc: str = ""
    suites: list = field(default_factory=list)


@dataclass
class Result:
    id: str
    status: str
    output: str = ""
    seconds: float = 0.0


def read_suites(path):
    lab = None
    suites = []
    failcc = ""
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            kind, _, rest = line.partition(" ")
            if kind == "lab":
                ident, _, d = rest.partition(" ")
                lab = Lab(ident, d)
            elif kind == "failcc":
                failcc = rest
            elif kind == "cmocka":
                suites.append(Suite("cmocka", os.path.basename(rest), rest))
            elif kind == "fail":
                suites.append(Suite("fail", "fail", rest))
            elif kind == "tap":
                name, _, cmd = rest.partition(" ")
                suites.append(Suite("tap", name, cmd))
            else:
                raise ValueError(f"{path}: unknown suite line: {line!r}")
    if lab is None:
        raise ValueError(f"{path}: no 'lab' line")
    lab.failcc = failcc
    lab.suites = suites
    return lab


def describe_exit(rc, timed_out, timeout):
    if timed_out:
        return f"timed out after {timeout:g} s (killed)"
    if rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = f"signal {-rc}"
        return f"crashed: {name}"
    return f"exit status {rc}"


def run_process(argv, timeout, cwd=None, echo=False, env=None, shell=False):
    """Runs a command in its own process group; returns (rc, output, timed_out, secs).

    Output is stdout and stderr merged; with echo it is also streamed to our stdout.
    On timeout the whole group is killed, so forked children die too."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, shell=shell, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    chunks = []
    timed_out = False
    os.set_blocking(proc.stdout.fileno(), False)
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = start + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        events = sel.select(timeout=min(left, 0.5))
        if not events:
            if proc.poll() is not None and not _drain(proc, chunks, echo):
                break
            continue
        if not _drain(proc, chunks, echo):
            break
    if timed_out:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _drain(proc, chunks, echo)
    rc = proc.wait()
    sel.close()
    proc.stdout.close()
    out = b"".join(chunks).decode("utf-8", "replace")
    return rc, out, timed_out, time.monotonic() - start


def _drain(proc, chunks, echo):
    """Reads what is available; False at end of file."""
    try:
        data = proc.stdout.read()
    except BlockingIOError:
        return True
    if data is None:
        return True
    if data == b"":
        return False
    chunks.append(data)
    if echo:
        sys.stdout.write(data.decode("utf-8", "replace"))
        sys.stdout.flush()
    return True


# --- cmocka ------------------------------------------------------------------------------

CMOCKA_LINE = re.compile(r"^\[\s*(OK|FAILED|ERROR|SKIPPED)\s*\] (.+)$")


def cmocka_list(binary, timeout=30):
    """Names of the tests in a cmocka binary (through the harness's --list)."""
    rc, out, timed_out, _ = run_process([binary, "--list"], timeout)
    if rc != 0 or timed_out:
        raise RuntimeError(f"{binary} --list: {describe_exit(rc, timed_out, timeout)}\n{out}")
    return [l for l in out.splitlines() if l.strip()]


def wrap_argv(wrap, argv):
    return (shlex.split(wrap) if wrap else []) + argv


def run_cmocka(suite, timeout, wrap=None, echo=False, only=None):
    """Runs a cmocka binary (or one test of it with only=NAME) and returns Results."""
    if not os.path.exists(suite.arg):
        return [Result(f"{suite.name}:*", FAIL, f"{suite.arg} was not built")]
    try:
        names = [only] if only else cmocka_list(suite.arg)
    except RuntimeError as e:
        return [Result(f"{suite.name}:*", FAIL, str(e))]
    argv = [suite.arg] + (["--filter", only] if only else [])
    rc, out, timed_out, secs = run_process(wrap_argv(wrap, argv), timeout, echo=echo)
    status = {}
    for line in out.splitlines():
        m = CMOCKA_LINE.match(line)
        if m and m.group(2) in names:
            tag = m.group(1)
            status[m.group(2)] = PASS if tag == "OK" else SKIP if tag == "SKIPPED" else FAIL
    how = describe_exit(rc, timed_out, timeout)
    results = []
    for n in names:
        st = status.get(n)
        if st is None:
            results.append(Result(f"{suite.name}:{n}", FAIL, f"did not finish ({how})\n{out}", secs))
        else:
            results.append(Result(f"{suite.name}:{n}", st, out if st != PASS else "", secs))
    if rc != 0 and all(r.status != FAIL for r in results):
        # Every test passed, yet the process failed: sanitizer/valgrind report at exit.
        results.append(Result(f"{suite.name}:(process)", FAIL,
                              f"all tests passed but the process ended with {how}\n{out}", secs))
    return results


# --- compile-fail --------------------------------------------------------------------------

EXPECT = re.compile(r"^\s*//\s*expect:\s*(.+?)\s*$")


def fail_expectation(path):
    with open(path) as f:
        first = f.readline()
    m = EXPECT.match(first)
    return m.group(1) if m else None


def run_fail(failcc, path, timeout=60):
    """A compile-fail test passes when compiling `path` fails with a diagnostic that
    matches the regex in its first line, `// expect: REGEX`."""
    stem = os.path.splitext(os.path.basename(path))[0]
    rid = f"fail:{stem}"
    regex = fail_expectation(path)
    if regex is None:
        return Result(rid, FAIL, f"{path}:1: first line must be '// expect: REGEX'")
    try:
        pattern = re.compile(regex)
    except re.error as e:
        return Result(rid, FAIL, f"{path}:1: bad regex {regex!r}: {e}")
    argv = shlex.split(failcc) + [path]
    rc, out, timed_out, secs = run_process(argv, timeout)
    if timed_out:
        return Result(rid, FAIL, f"compiler timed out after {timeout} s", secs)
    if rc == 0:
        return Result(rid, FAIL, f"{path} compiled, but it must not (expected /{regex}/)", secs)
    if not pattern.search(out):
        return Result(rid, FAIL, f"{path} failed to compile, but no diagnostic matches "
                                 f"/{regex}/; the compiler said:\n{out}", secs)
    return Result(rid, PASS, "", secs)


# --- TAP -------------------------------------------------------------------------------------

TAP_LINE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
TAP_PLAN = re.compile(r"^1\.\.(\d+)")


def parse_tap(suite_name, out):
    results, plan = [], None
    for line in out.splitlines():
        line = line.rstrip()
        m = TAP_PLAN.match(line)
        if m:
            plan = int(m.group(1))
            continue
        m = TAP_LINE.match(line)
        if not m:
            continue
        ok, num, desc, directive = m.groups()
        name = desc or f"test {num or len(results) + 1}"
        skip = directive is not None and directive.upper().startswith("SKIP")
        status = SKIP if skip else (PASS if ok == "ok" else FAIL)
        results.append(Result(f"{suite_name}:{name}", status, "" if status != FAIL else line))
    return results, plan


def run_tap(suite, cwd, timeout, echo=False):
    rc, out, timed_out, secs = run_process(suite.arg, timeout, cwd=cwd, echo=echo, shell=True)
    results, plan = parse_tap(suite.name, out)
    for r in results:
        r.seconds = secs
        if r.status == FAIL:
            r.output = out
    how = describe_exit(rc, timed_out, timeout)
    if plan is not None and len(results) < plan:
        results.append(Result(f"{suite.name}:(missing)", FAIL,
                              f"planned {plan} tests, saw {len(results)} ({how})\n{out}", secs))
    elif not results:
        results.append(Result(f"{suite.name}:*", FAIL, f"no TAP results ({how})\n{out}", secs))
    elif rc != 0 and all(r.status != FAIL for r in results):
        results.append(Result(f"{suite.name}:(process)", FAIL, f"command ended with {how}\n{out}", secs))
    return results


def tap_tests(suite, cwd, timeout):
    """TAP suites cannot be split: they run once and report every test."""
    return run_tap(suite, cwd, timeout)


def run_lab(lab, timeout, wrap=None, echo=False):
    """Runs every suite of a lab, whole binaries at a time (make check)."""
    results = []
    for s in lab.suites:
        if s.kind == "cmocka":
            results += run_cmocka(s, timeout, wrap=wrap, echo=echo)
        elif s.kind == "fail":
            r = run_fail(lab.failcc, s.arg)
            if echo:
                print(f"[{'  OK  ' if r.status == PASS else 'FAILED'}] compile-fail {r.id}"
                      + (f"\n{r.output}" if r.output else ""))
            results.append(r)
        elif s.kind == "tap":
            if echo:
                print(f"[ RUN  ] {s.name}: {s.arg}")
            results += run_tap(s, lab.dir, timeout, echo=echo)
    return results


def counts(results):
    p = sum(r.status == PASS for r in results)
    f = sum(r.status == FAIL for r in results)
    s = sum(r.status == SKIP for r in results)
    return p, f, s


def summary_line(word, p, f, s):
    return f"{word}: {p} passed, {f} failed" + (f", {s} skipped" if s else "")


def make_env():
    """Environment for nested make calls: quiet, no directory chatter."""
    env = dict(os.environ)
    return env


def build_and_read(lab_dir, log_to=None):
    """Builds a lab's tests with make -k and reads its suites file.

    Returns (lab, build_ok, build_log). Missing binaries show up as failed tests."""
    rc, out, _, _ = run_process(["make", "--no-print-directory", "-k", "-C", lab_dir, "tests"], 3600)
    rc2, path, _, _ = run_process(["make", "--no-print-directory", "-s", "-C", lab_dir,
                                   "print-SUITES_FILE"], 120)
    path = path.strip().splitlines()[-1] if path.strip() else ""
    if rc2 != 0 or not path or not os.path.exists(path):
        raise RuntimeError(f"{lab_dir}: could not list its suites\n{out}\n{path}")
    return read_suites(path), rc == 0, out
