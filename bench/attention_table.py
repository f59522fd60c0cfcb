#!/usr/bin/python3
"""Table and summary line from bench_attention JSON runs (bench/attention.sh).

Usage: attention_table.py grid.json [summary.json ...]. Later files override earlier rows; for
repeated runs of a row the fastest repetition counts. vs_ref = reference time / this row's time,
with the reference (plain GEMM + softmax + GEMM) of the same pass, head_dim, N and causality."""
import json
import sys


def load(paths):
    rows, ctx = {}, {}
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        ctx.update(data.get("context", {}))
        best = {}
        for b in data["benchmarks"]:
            if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
                continue
            name = b.get("run_name", b["name"])
            if name not in best or b["real_time"] < best[name]["real_time"]:
                best[name] = b
        rows.update(best)
    return rows, ctx


def key(name):
    # attention/<impl>/<dtype>/<pass>/<capture>/hs:<d>/n:<N>/causal:<c>[/manual_time|/real_time]
    parts = name.split("/")
    impl, dtype, pas, cap = parts[1:5]
    hs, n, causal = (int(p.split(":")[1]) for p in parts[5:8])
    return impl, dtype, pas, cap, hs, n, causal


def ms(b):
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ms")]
    return b["real_time"] * scale


def main(paths):
    rows, ctx = load(paths)
    peak = float(ctx.get("peak_all_gflops", "nan"))
    table = {key(n): b for n, b in rows.items()}
    print(f"fp32 fma peak: {float(ctx.get('peak_single_gflops', 'nan')):.1f} GFLOP/s single-thread, "
          f"{peak:.1f} GFLOP/s on {ctx.get('peak_threads', '?')} threads; kernels isa "
          f"{ctx.get('kernels_isa', '?')}; clock {ctx.get('clock', 'wall')}")
    hdr = f"{'impl':5} {'dtype':5} {'pass':6} {'capture':9} {'hs':>4} {'N':>5} {'causal':>6} " \
          f"{'ms':>9} {'GFLOP/s':>8} {'%peak':>6} {'vs_ref':>7} {'extra_MB':>9}"
    print(hdr)
    print("-" * len(hdr))
    for k in sorted(table, key=lambda k: (k[4], k[5], k[6], k[2], k[0] != "flash", k[1], k[3])):
        impl, dtype, pas, cap, hs, n, causal = k
        b = table[k]
        t = ms(b)
        gflops = 4.0 * 12 * n * n * hs * (0.5 if causal else 1.0) * (3.5 if pas == "fwdbwd" else 1.0) / (t * 1e6)
        ref = table.get(("ref", "f32", pas, "none", hs, n, causal))
        vs = f"{ms(ref) / t:6.2f}x" if ref else "      -"
        print(f"{impl:5} {dtype:5} {pas:6} {cap:9} {hs:4d} {n:5d} {causal:6d} {t:9.2f} {gflops:8.1f} "
              f"{100 * gflops / peak:5.1f}% {vs:>7} {b.get('extra_MB', 0):9.2f}")

    def t(impl="flash", dtype="f32", pas="fwd", cap="none", causal=0):
        b = table.get((impl, dtype, pas, cap, 64, 2048, causal))
        if b is None:
            sys.exit(f"attention_table.py: missing row {impl}/{dtype}/{pas}/{cap}/hs:64/n:2048/causal:{causal}")
        return ms(b)

    fl_fwd = 4.0 * 12 * 2048 * 2048 * 64 / 1e9  # GFLOP
    fwd = 100 * fl_fwd / (t() / 1e3) / peak
    fwdbwd = 100 * 3.5 * fl_fwd / (t(pas="fwdbwd") / 1e3) / peak
    print(f"attention summary: fwd={fwd:.0f}% fwdbwd={fwdbwd:.0f}% vs_ref={t('ref') / t():.1f}x "
          f"bf16={t() / t(dtype='bf16'):.1f}x stats_overhead={100 * (t(cap='stats') / t() - 1):.0f}% "
          f"topk_overhead={100 * (t(cap='topk8') / t() - 1):.0f}% causal_ratio={t(causal=1) / t():.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
