"""Prints the photo benchmark's table from bench/photos/results/*.tsv.

    report.py RESULTS_DIR

Per kind: codes read correctly out of the images, and the median time per
image (all images of the kind, read or not), for attesta (ours), zxing-cpp
and zbarimg; then ours / zxing-cpp for the medians. Standard library only.
"""

import os
import statistics
import sys

DECODERS = [("ours", "ours.tsv"), ("zxing-cpp", "zxing-cpp.tsv"), ("zbar", "zbar.tsv")]


def load(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            name, kind, ok, ms, _ = line.rstrip("\n").split("\t", 4)
            rows[name] = (kind, ok == "1", float(ms))
    return rows


def main():
    results = sys.argv[1]
    data = {d: load(os.path.join(results, f)) for d, f in DECODERS if os.path.exists(os.path.join(results, f))}
    kinds = []
    for kind, _, _ in data["ours"].values():
        if kind not in kinds:
            kinds.append(kind)
    names = [d for d, _ in DECODERS if d in data]

    def cell(d, kind):
        rows = [r for r in data[d].values() if kind is None or r[0] == kind]
        read = sum(r[1] for r in rows)
        med = statistics.median(r[2] for r in rows)
        return read, len(rows), med

    header = "| kind | " + " | ".join(f"{d} read | {d} median ms" for d in names)
    header += " | ours / zxing-cpp time |" if "zxing-cpp" in data else " |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for kind in kinds + [None]:
        cells, meds = [], {}
        for d in names:
            read, total, med = cell(d, kind)
            meds[d] = med
            cells.append(f"{read}/{total} | {med:.2f}")
        label = kind if kind else "**all**"
        line = f"| {label} | " + " | ".join(cells)
        if "zxing-cpp" in data:
            line += f" | {meds['ours'] / meds['zxing-cpp']:.2f}× |"
        else:
            line += " |"
        print(line)

    if "zxing-cpp" in data:
        ours, zx = data["ours"], data["zxing-cpp"]
        behind = [
            k
            for k in kinds
            if (z := cell("zxing-cpp", k)[0]) >= 8 and cell("ours", k)[0] < z
        ]
        overall = cell("ours", None)[0] >= cell("zxing-cpp", None)[0]
        slow = [k for k in kinds + [None] if cell("ours", k)[2] > 3 * cell("zxing-cpp", k)[2]]
        print()
        print(f"targets: overall read >= zxing-cpp: {'yes' if overall else 'NO'}; "
              f"kinds where zxing-cpp reads >= 8/10 and we read fewer: {', '.join(behind) or 'none'}; "
              f"medians over 3x zxing-cpp: {', '.join(k or 'all' for k in slow) or 'none'}")
        missed = sorted(n for n, r in ours.items() if not r[1] and zx.get(n, (None, False))[1])
        if missed:
            print("read by zxing-cpp, not by us: " + ", ".join(missed))


if __name__ == "__main__":
    main()
