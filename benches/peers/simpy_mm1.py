#!/usr/bin/env python3
"""SimPy peer of simmer's M/M/1 benchmark, matching benches/models/mm1.toml.

lambda = 1, mu = 1.1 per time unit (time unit = 1 minute), one simpy.Resource of capacity 1,
no warm-up, horizon 1000 days = 1,440,000 min (about 1.44M customers, the same horizon as the
borderflow model). Collects only the mean wait (running sum). Textbook Wq = rho/(mu - lambda)
= (1/1.1)/0.1 = 9.09 min.

Wall time covers model construction and env.run() (not interpreter start-up or the import),
like borderflow's "wall_s". Prints one JSON line.
"""
import argparse
import json
import random
import time

import simpy

LAMBDA = 1.0
MU = 1.1


def customer(env, server, rng, acc):
    arrived = env.now
    with server.request() as req:
        yield req
        acc[0] += env.now - arrived
        acc[1] += 1
        yield env.timeout(rng.expovariate(MU))
    acc[2] += 1


def source(env, server, rng, acc):
    while True:
        yield env.timeout(rng.expovariate(LAMBDA))
        env.process(customer(env, server, rng, acc))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=1000 * 24 * 60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    t0 = time.perf_counter()
    rng = random.Random(args.seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    acc = [0.0, 0, 0]   # sum of waits, started, served
    env.process(source(env, server, rng, acc))
    env.run(until=args.minutes)
    mean_min = acc[0] / acc[1]
    wall = time.perf_counter() - t0

    print(json.dumps({
        "model": "M/M/1", "engine": "simpy", "simpy": simpy.__version__,
        "served": acc[2], "wall_s": wall, "served_per_s": acc[2] / wall,
        "wait_mean_min": mean_min,
    }))


if __name__ == "__main__":
    main()
