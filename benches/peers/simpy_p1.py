#!/usr/bin/env python3
"""SimPy peer of borderflow's reference model P1 (benches/models/p1.toml).

8 independent checkpoints x 4 lanes (simpy.Resource capacity 4), exponential service mean 6 min,
Poisson arrivals 32 trucks/h at each checkpoint, 24/7, one simulated year (365 days), no warm-up.
Time unit: minutes.

Deliberately lean, to be fair to SimPy: it collects only each truck's wait (in a list) and reports
mean wait and p95 wait. borderflow computes far more on the same run (per stage/checkpoint/flow/class
waits, quantile histograms, time-weighted queues and utilisation, hour-of-day profiles).

Wall time covers model construction, env.run() and the final statistics (not interpreter start-up
or the import), like borderflow's "wall_s". Prints one JSON line.
"""
import argparse
import json
import random
import time

import simpy

CHECKPOINTS = 8
LANES = 4
SERVICE_MEAN_MIN = 6.0
RATE_PER_MIN = 32.0 / 60.0


def truck(env, lanes, rng, waits, served):
    arrived = env.now
    with lanes.request() as req:
        yield req
        waits.append(env.now - arrived)
        yield env.timeout(rng.expovariate(1.0 / SERVICE_MEAN_MIN))
    served[0] += 1


def source(env, lanes, rng, waits, served):
    while True:
        yield env.timeout(rng.expovariate(RATE_PER_MIN))
        env.process(truck(env, lanes, rng, waits, served))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=float, default=365.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    t0 = time.perf_counter()
    rng = random.Random(args.seed)
    env = simpy.Environment()
    waits = []          # waits of trucks that started service (minutes)
    served = [0]        # trucks that completed service within the horizon
    for _ in range(CHECKPOINTS):
        lanes = simpy.Resource(env, capacity=LANES)
        env.process(source(env, lanes, rng, waits, served))
    env.run(until=args.days * 24 * 60)
    n = len(waits)
    mean_h = sum(waits) / n / 60.0
    waits.sort()
    p95_h = waits[min(n - 1, int(0.95 * n))] / 60.0
    wall = time.perf_counter() - t0

    print(json.dumps({
        "model": "P1", "engine": "simpy", "simpy": simpy.__version__,
        "served": served[0], "wall_s": wall, "served_per_s": served[0] / wall,
        "wait_mean_h": mean_h, "wait_p95_h": p95_h,
    }))


if __name__ == "__main__":
    main()
