# Drives a command through a real pseudo-terminal, as a user at a terminal would: a script of
# steps read as JSON from stdin, each ["send", text] (typed) or ["expect", regex] (wait until
# the output since the last match matches it; fail after a generous limit). Prints the whole
# transcript (what the terminal showed, escape codes included) and exits 0, or 3 if an expect
# was never met (the transcript then ends with the regex that was waited for).
import fcntl, json, os, pty, re, select, struct, sys, termios, time

ANSI = re.compile(rb"\x1b(\[[0-9;?]*[A-Za-z]|[78])")


def clean(data):
    """What the terminal text says: escape codes and carriage returns dropped (marks index this)."""
    return ANSI.sub(b"", data).replace(b"\r", b"")


def main():
    spec = json.load(sys.stdin)
    argv, steps, cwd = spec["argv"], spec["steps"], spec.get("cwd")
    limit = spec.get("limit", 60)
    pid, fd = pty.fork()
    if pid == 0:
        if cwd:
            os.chdir(cwd)
        os.environ["TERM"] = "xterm"
        os.environ["COLUMNS"] = "200"
        os.execvp(argv[0], argv)
    # A 50 x 200 window, so that listings are laid out in columns as at a real terminal.
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    out = b""
    mark = 0

    def read(timeout):
        nonlocal out
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        out += data
        return True

    for kind, value in steps:
        if kind == "send":
            os.write(fd, value.encode())
            time.sleep(0.2)
        elif kind == "expect":
            start = time.time()
            pattern = re.compile(value.encode())
            while True:
                m = pattern.search(clean(out), mark)
                if m:
                    mark = m.end()
                    break
                if time.time() - start > limit or not read(0.5):
                    if not pattern.search(clean(out), mark):
                        sys.stdout.write(out.decode("utf8", "replace"))
                        sys.stdout.write("\n<<never saw: %s>>\n" % value)
                        os.kill(pid, 9)
                        sys.exit(3)
    # Drain what is left until the child exits (or the limit).
    start = time.time()
    while time.time() - start < limit and read(0.5):
        pass
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    sys.stdout.write(out.decode("utf8", "replace"))

main()
