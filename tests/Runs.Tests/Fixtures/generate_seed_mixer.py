#!/usr/bin/env python3
"""Reference values of SeedMixer (runs/SeedMixer.cs) for SeedMixerTests, with Python integers mod 2**64.

Run: python3 tests/Runs.Tests/Fixtures/generate_seed_mixer.py
"""
M = 2**64


def mix(a, b, c):
    h = 0xcbf29ce484222325
    for v in (a, b, c):
        h ^= v % M                     # a negative long's two's-complement bits
        h = (h * 0x100000001b3) % M
        h ^= h >> 29
    x = (h ^ (h >> 32)) & 0xffffffff   # the low 32 bits, as C#'s (int) cast keeps them
    return (x - 2**32 if x >= 2**31 else x), x & 0x7fffffff


for args in [(0, 0, 0), (1, -3, 17), (5, -1, 5), (98, 1_000_003, 42)]:
    print(args, *mix(*args))
