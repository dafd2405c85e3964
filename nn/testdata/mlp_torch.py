"""Time one MLP training step in PyTorch, the same step as nn's BenchmarkTrainStep.

A step is: forward pass of a minibatch of 256 rows through a tanh MLP (linear output), the
mean-squared-error loss against fixed targets, the backward pass and one Adam step. It prints
samples per second (rows per second) for the shapes 4-64-64-2 and 784-256-256-10, so the ratio to

    go test ./nn -run XXX -bench TrainStep -benchtime 1s

run right before or after on the same machine is the comparison of issue #30.

    apt-get install -y python3-torch
    /usr/bin/python3 nn/testdata/mlp_torch.py --threads 1 [--dtype float64] [--seconds 2]

float32 is what a PyTorch user runs by default; --dtype float64 matches our arithmetic.
"""
import argparse
import os
import sys
import time

if "--threads" in sys.argv:
    _t = sys.argv[sys.argv.index("--threads") + 1]
    for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_v, _t)

import torch  # noqa: E402

SHAPES = [(4, 64, 64, 2), (784, 256, 256, 10)]


def net(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def time_shape(sizes, rows, dtype, seconds):
    torch.manual_seed(1)
    m = net(sizes).to(dtype)
    opt = torch.optim.Adam(m.parameters(), lr=1e-4)
    x = torch.randn(rows, sizes[0], dtype=dtype)
    y = torch.randn(rows, sizes[-1], dtype=dtype)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(m(x), y)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        n += 1
    return n * rows / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--rows", type=int, default=256)
    ap.add_argument("--seconds", type=float, default=2.0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    dtype = getattr(torch, a.dtype)
    print(f"torch {torch.__version__}, threads {a.threads}, {a.dtype}, batch {a.rows}")
    for s in SHAPES:
        name = "-".join(map(str, s))
        print(f"{name}_samples_per_s: {time_shape(s, a.rows, dtype, a.seconds):.0f}")


if __name__ == "__main__":
    main()
