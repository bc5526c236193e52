# Reports which peer libraries exist and numpy's BLAS (via threadpoolctl when installed).
import json

out = {}
try:
    import numpy
    out["numpy"] = numpy.__version__
except ImportError:
    pass
for mod in ("sklearn", "scipy"):
    try:
        out[mod] = __import__(mod).__version__
    except ImportError:
        pass
try:
    import threadpoolctl
    import numpy  # noqa: F401  (loads the BLAS so threadpoolctl sees it)
    info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
    if info:
        b = info[0]
        out["blas"] = {k: b.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
except ImportError:
    out["blas"] = None
print(json.dumps(out))
