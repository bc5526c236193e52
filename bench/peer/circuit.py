# numpy peer of the circuit-* cases: the same folded circuit as pmix, built from pmix's IR.
# Reads graph.json (the lowered IR with its parameter values) and x.f64, folds the nodes as
# circuits/fold.ts does (depth = 1 + deepest child; within a depth, nodes of one kind and shape
# are one fold with a leading fold axis), and runs in float64:
#   input (Bernoulli)  log p = lq + x * (lp - lq)                        [F, N, U]
#   product (hadamard) out = sum_k in[child_k]                           [F, N, U]
#   sum                out = log(exp(A - m) @ W^T) + m, m = max_i A      (batched matmul)
# backward (flows = d log p / d log-value), with S = exp(out - m):
#   sum      r = flow / S;  inFlow = exp(A - m) * (r @ W);  counts = W * (r^T @ exp(A - m))
#   product  child flow += flow
# and the M-step: sum weights (counts + alpha) / (total + I alpha), alpha = smoothing + 1e-15;
# Bernoulli p = (sum flow x + s) / (sum flow + 2 s), clamped to [eps, 1 - eps] (pmix's rule).
# mode 'em' times one EM epoch, 'infer' a forward pass. Compares its per-row log-likelihoods
# (and, for 'em', its parameters after one epoch) with pmix's files: max |diff| in the output.
import json
import os

import numpy as np

from common import args, report, sample

d, p = args()
with open(os.path.join(d, "graph.json")) as fh:
    graph = json.load(fh)
meta = json.load(open(os.path.join(d, "meta.json")))
N, V = meta["n"], meta["v"]
X = np.fromfile(os.path.join(d, "x.f64"), dtype=np.float64).reshape(N, V)
smoothing = p["smoothing"]
eps = min(max(max(p["reg_covar"], 1e-10), 1e-12), 0.25)

nodes = graph["nodes"]
by_id = {nd["id"]: nd for nd in nodes}
kids_of = lambda nd: nd.get("children", [])
depth = {}
for nd in nodes:
    ks = kids_of(nd)
    depth[nd["id"]] = 1 + max(depth[c] for c in ks) if ks else 0


# ---- folding: groups of (depth, kind, shape), each node located at (group, fold index) ----
class Group:
    def __init__(self, kind, ids):
        self.kind, self.ids = kind, ids
        self.F = len(ids)
        self.U = by_id[ids[0]]["units"]


groups_by_level = []
for nd in nodes:
    dd = depth[nd["id"]]
    while len(groups_by_level) <= dd:
        groups_by_level.append({})
    if nd["kind"] == "input":
        if nd["dist"] != "Bernoulli" or len(nd["scope"]) != 1:
            raise SystemExit("circuit.py handles univariate Bernoulli inputs only")
        key = ("input", nd["units"])
    elif nd["kind"] == "product":
        if nd["mode"] != "hadamard":
            raise SystemExit("circuit.py handles hadamard products only")
        key = ("product", nd["units"], len(nd["children"]))
    elif nd["kind"] == "sum":
        key = ("sum", nd["units"], sum(by_id[c]["units"] for c in nd["children"]))
    else:
        raise SystemExit(f"circuit.py does not handle {nd['kind']} nodes")
    groups_by_level[dd].setdefault(key, []).append(nd["id"])

levels = [[Group(k[0], ids) for k, ids in lvl.items()] for lvl in groups_by_level]
where = {}
for lvl in levels:
    for g in lvl:
        for f, nid in enumerate(g.ids):
            where[nid] = (g, f)


def child_sources(g):
    """Per child slot k: (source group, fold indices [F]); a slice when they are 0..F-1."""
    width = len(kids_of(by_id[g.ids[0]]))
    out = []
    for k in range(width):
        locs = [where[kids_of(by_id[nid])[k]] for nid in g.ids]
        src = locs[0][0]
        if any(l[0] is not src for l in locs):
            raise SystemExit("circuit.py: a fold's children span several groups")
        idx = np.array([l[1] for l in locs])
        sel = slice(None) if src.F == g.F and (idx == np.arange(g.F)).all() else idx
        out.append((src, sel, len(np.unique(idx)) == len(idx)))
    return out


for lvl in levels:
    for g in lvl:
        if g.kind == "input":
            g.var = np.array([by_id[nid]["scope"][0] for nid in g.ids])
            g.X = np.ascontiguousarray(X[:, g.var].T)  # [F, N]
            g.miss = np.isnan(g.X)
            g.has_miss = bool(g.miss.any())
            if g.has_miss:
                g.X = np.where(g.miss, 0.0, g.X)
            g.pname = [by_id[nid]["params"]["p"] for nid in g.ids]
        else:
            g.src = child_sources(g)
            if g.kind == "sum":
                g.wname = [by_id[nid]["weights"] for nid in g.ids]


def load_params():
    for lvl in levels:
        for g in lvl:
            if g.kind == "input":
                g.p = np.array([graph["params"][nm]["value"] for nm in g.pname]).reshape(g.F, g.U)
            elif g.kind == "sum":
                g.W = np.array([graph["params"][nm]["value"] for nm in g.wname]).reshape(g.F, g.U, -1)
                g.WT = np.ascontiguousarray(g.W.transpose(0, 2, 1))


def buffer(g, name, shape):
    """A per-group array reused across passes (fresh 100+ MB arrays cost page faults)."""
    a = getattr(g, name, None)
    if a is None or a.shape != shape:
        a = np.empty(shape)
        setattr(g, name, a)
    return a


def forward(keep):
    for lvl in levels:
        for g in lvl:
            if g.kind == "input":
                lp, lq = np.log(g.p), np.log1p(-g.p)
                val = buffer(g, "val", (g.F, N, g.U))
                np.multiply(g.X[:, :, None], (lp - lq)[:, None, :], out=val)
                val += lq[:, None, :]
                if g.has_miss:
                    val[g.miss] = 0.0
            elif g.kind == "product":
                val = buffer(g, "val", (g.F, N, g.U))
                tmp = buffer(g, "tmp", (g.F, N, g.U))
                for k, (src, sel, _) in enumerate(g.src):
                    part = src.val if isinstance(sel, slice) else np.take(src.val, sel, axis=0, out=tmp)
                    if k == 0:
                        val[...] = part
                    else:
                        val += part
            else:
                if len(g.src) != 1:
                    raise SystemExit("circuit.py: sums over several children are not folded here")
                src, sel, _ = g.src[0]
                A = src.val if isinstance(sel, slice) else src.val[sel]
                m = A.max(axis=2, keepdims=True)
                m[~np.isfinite(m)] = 0.0
                E = buffer(g, "E", A.shape)
                np.subtract(A, m, out=E)
                np.exp(E, out=E)
                S = buffer(g, "S", (g.F, N, g.U))
                np.matmul(E, g.WT, out=S)  # WT contiguous: numpy's matmul calls BLAS only then
                val = buffer(g, "val", (g.F, N, g.U))
                np.log(S, out=val)
                val += m
    root = where[graph["root"]]
    return root[0].val[root[1], :, 0].copy()


def backward():
    for lvl in levels:
        for g in lvl:
            buffer(g, "flow", g.val.shape).fill(0.0)
    rg, rf = where[graph["root"]]
    rg.flow[rf, :, 0] = np.isfinite(rg.val[rf, :, 0])
    for lvl in reversed(levels):
        for g in lvl:
            if g.kind == "sum":
                r = np.divide(g.flow, g.S, out=buffer(g, "r", g.flow.shape), where=g.flow != 0)
                r[g.flow == 0] = 0.0
                inflow = buffer(g, "inflow", g.E.shape)
                np.matmul(r, g.W, out=inflow)
                inflow *= g.E
                g.counts = g.W * np.matmul(np.ascontiguousarray(r.transpose(0, 2, 1)), g.E)
                src, sel, uniq = g.src[0]
                push(src, sel, uniq, inflow)
            elif g.kind == "product":
                for src, sel, uniq in g.src:
                    push(src, sel, uniq, g.flow)


def push(src, sel, uniq, flow):
    if isinstance(sel, slice) or uniq:
        src.flow[sel] += flow
    else:
        np.add.at(src.flow, sel, flow)


def mstep():
    alpha = smoothing + 1e-15
    for lvl in levels:
        for g in lvl:
            if g.kind == "sum":
                c = g.counts
                tot = c.sum(axis=2, keepdims=True)
                g.W = (c + alpha) / (tot + c.shape[2] * alpha)
                g.WT = np.ascontiguousarray(g.W.transpose(0, 2, 1))
            elif g.kind == "input":
                fl = g.flow
                if g.has_miss:
                    fl = np.where(g.miss[:, :, None], 0.0, fl)
                sw = fl.sum(axis=1)  # [F, U]
                sx = np.einsum("fn,fnu->fu", g.X, fl)
                g.p = np.clip((sx + smoothing) / (sw + 2 * smoothing), eps, 1 - eps)


def epoch():
    ll = forward(True)
    backward()
    mstep()
    return ll


def params_dict():
    out = {}
    for lvl in levels:
        for g in lvl:
            if g.kind == "input":
                for f, nm in enumerate(g.pname):
                    out[nm] = g.p[f]
            elif g.kind == "sum":
                for f, nm in enumerate(g.wname):
                    out[nm] = g.W[f].ravel()
    return out


load_params()
ll0 = forward(False)
extra = {"folds": sum(len(l) for l in levels), "nodes": len(nodes)}
pmix_ll = os.path.join(d, "pmix-ll.f64")
if os.path.exists(pmix_ll):
    extra["ll_max_abs_diff"] = float(np.abs(np.fromfile(pmix_ll, dtype=np.float64) - ll0).max())
if p.get("mode") == "em":
    epoch()
    pm = json.load(open(os.path.join(d, "pmix-em1.json")))
    mine = params_dict()
    extra["em1_param_max_abs_diff"] = float(max(np.abs(np.asarray(pm[k]) - mine[k]).max() for k in mine))
    load_params()
    samples = sample(epoch, p["repeats"], 1)
else:
    samples = sample(lambda: forward(False), p["repeats"], 1)
report(samples, ll0.mean(), extra=extra)
