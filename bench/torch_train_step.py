#!/usr/bin/env python3
"""The PyTorch anchor of `dpgcn bench train`: the same LightGCN-style step
(embedding table, two SpMM layers over the same normalised adjacency, the mean
of the layers, BCE on 4,096 (user, positive, negative) triples, backward,
Adam) on this machine. The graph comes from `dpgcn bench graph`, so both sides
multiply the same matrix. Each graph runs in its own process, so its peak RSS
is its own. Needs Debian's python3-torch (1.13); without it, says so and exits 2.

    python3 bench/torch_train_step.py --out torch.json            # both graphs
    dpgcn bench train --torch-json torch.json                     # our side, with the ratios
"""
import argparse, json, os, resource, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.path.join(HERE, '..', 'dist', 'src', 'cli', 'main.js')


def one(graph_dir, steps, threads, d=64, batch=4096):
    import numpy as np
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(7)
    h = json.load(open(os.path.join(graph_dir, 'header.json')))
    n = h['nodes']
    row_ptr = np.fromfile(os.path.join(graph_dir, 'row_ptr.i32'), dtype='<i4').astype(np.int64)
    col = np.fromfile(os.path.join(graph_dir, 'col_idx.i32'), dtype='<i4').astype(np.int64)
    val = np.fromfile(os.path.join(graph_dir, 'values.f32'), dtype='<f4')
    rows = np.repeat(np.arange(n, dtype=np.int64), row_ptr[1:] - row_ptr[:-1])
    # COO, coalesced once outside the step (autograd through torch.sparse.mm needs COO in 1.13)
    A = torch.sparse_coo_tensor(torch.from_numpy(np.stack([rows, col])), torch.from_numpy(val), size=(n, n)).coalesce()
    E = torch.nn.Parameter(torch.randn(n, d) * 0.1)
    opt = torch.optim.Adam([E], lr=1e-3)
    labels = torch.cat([torch.ones(batch), torch.zeros(batch)])
    deg = row_ptr[1:] - row_ptr[:-1]
    eligible = np.nonzero(deg >= 2)[0]
    rng = np.random.default_rng(7)

    def sample():
        u = rng.choice(eligible, batch)
        off = row_ptr[u] + (rng.random(batch) * deg[u]).astype(np.int64)
        pos = col[off]
        neg = rng.integers(0, n, batch)
        return torch.from_numpy(u), torch.from_numpy(pos), torch.from_numpy(neg)

    def step():
        u, p, q = sample()
        opt.zero_grad(set_to_none=True)
        e1 = torch.sparse.mm(A, E)
        e2 = torch.sparse.mm(A, e1)
        f = (E + e1 + e2) / 3
        fu = f[u]
        logits = torch.cat([(fu * f[p]).sum(1), (fu * f[q]).sum(1)])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
        loss.backward()
        opt.step()

    step(); step()
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        step()
        times.append((time.perf_counter() - t) * 1000)
    return {'graph': h['name'], 'nnz': h['nnz'], 'msPerStep': statistics.median(times), 'steps': steps,
            'peakRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'threads': threads, 'torch': torch.__version__}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--graphs', default='ml100k,powerlaw')
    ap.add_argument('--out', help='result JSON for dpgcn bench train --torch-json')
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--steps', default='ml100k=125,powerlaw=15', help='timed steps per graph (median)')
    ap.add_argument('--one', help=argparse.SUPPRESS)
    a = ap.parse_args()
    steps = dict(kv.split('=') for kv in a.steps.split(','))
    if a.one:
        print(json.dumps(one(a.one, int(steps[os.path.basename(a.one)]), a.threads)))
        return
    if not a.out:
        ap.error('--out is required')
    try:
        import torch  # noqa: F401
    except ImportError:
        print('bench/torch_train_step.py: PyTorch is not installed (Debian: apt-get install python3-torch); no anchor measured', file=sys.stderr)
        sys.exit(2)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for g in a.graphs.split(','):
            gdir = os.path.join(tmp, g)
            subprocess.run(['node', CLI, 'bench', 'graph', '--graph', g, '--out', gdir], check=True)
            r = subprocess.run([sys.executable, __file__, '--one', gdir, '--threads', str(a.threads), '--steps', a.steps],
                               check=True, capture_output=True, text=True)
            res = json.loads(r.stdout.strip().splitlines()[-1])
            print(f"torch {res['torch']} {res['graph']:<14} nnz={res['nnz']} {res['msPerStep']:9.1f} ms/step  peak RSS {res['peakRssMB']:.0f} MB ({a.threads} threads)")
            results.append(res)
    tmp_out = a.out + '.tmp'
    with open(tmp_out, 'w') as f:
        json.dump({'results': results}, f, indent=2)
    os.replace(tmp_out, a.out)


if __name__ == '__main__':
    main()
