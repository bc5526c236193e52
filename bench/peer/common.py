# Shared by the peer scripts: argument parsing, timing and the JSON line they print.
import json
import resource
import sys
import time


def args():
    return sys.argv[1], json.loads(sys.argv[2])


def sample(fn, repeats, warmup=1):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(samples, check, **extra):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = sorted(samples)
    m = len(s) // 2
    med = s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2
    print(json.dumps({"ms": med, "samples": samples, "check": float(check), "peak_mb": peak, **extra}))
