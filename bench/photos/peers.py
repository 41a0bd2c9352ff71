"""Reads the photo corpus with the peer decoders, for bench/photos/run.sh.

    peers.py CORPUS_DIR REPEAT RESULTS_DIR

Writes RESULTS_DIR/zxing-cpp.tsv and RESULTS_DIR/zbar.tsv in the format of
`attesta-photo-bench scan`: file, kind, ok (1 when the expected text is among
the codes read), ms (fastest of REPEAT runs), result.

- zxing-cpp runs in this process, through its PyPI wheel, with its default
  options (try_rotate, try_downscale, try_invert, LocalAverage binarizer),
  restricted to QR codes. Timed from the file's bytes in memory to the texts:
  Pillow's decoding (libjpeg-turbo / zlib) plus read_barcodes, as our
  scan_image_bytes is timed from bytes to texts.
- zbarimg runs as a process per file (QR symbology only), so its time includes
  starting the process and its image loading; the start-up alone, on a 1 x 1
  image, is reported on stderr for reference.
"""

import io
import os
import subprocess
import sys
import time

import zxingcpp
from PIL import Image


def manifest(corpus):
    with open(os.path.join(corpus, "manifest.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            name, kind, text = line.rstrip("\n").split("\t", 2)
            yield name, kind, text


def zxing_read(data):
    img = Image.open(io.BytesIO(data))
    img.load()
    return [b.text for b in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)]


def zbar_read(path):
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path],
        capture_output=True,
    )
    # Exit 4 means "no symbols found"; the raw output is one text per line.
    return out.stdout.decode("utf-8", "replace").splitlines()


def timed(fn, arg, repeat):
    best, texts = float("inf"), []
    for _ in range(repeat):
        start = time.perf_counter()
        texts = fn(arg)
        best = min(best, (time.perf_counter() - start) * 1000.0)
    return best, texts


def run(corpus, repeat, out_path, fn, wants_path):
    with open(out_path, "w", encoding="utf-8") as out:
        out.write("file\tkind\tok\tms\tresult\n")
        for name, kind, text in manifest(corpus):
            path = os.path.join(corpus, name)
            if wants_path:
                arg = path
            else:
                with open(path, "rb") as f:
                    arg = f.read()
            ms, texts = timed(fn, arg, repeat)
            ok = text in texts
            result = "read" if ok else ("wrong" if texts else "none")
            out.write(f"{name}\t{kind}\t{int(ok)}\t{ms:.3f}\t{result}\n")


def main():
    corpus, repeat, results = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(results, exist_ok=True)
    run(corpus, repeat, os.path.join(results, "zxing-cpp.tsv"), zxing_read, False)
    tiny = os.path.join(results, "tiny.png")
    Image.new("L", (1, 1), 255).save(tiny)
    startup, _ = timed(zbar_read, tiny, 5)
    print(f"zbarimg start-up on a 1x1 PNG: {startup:.1f} ms", file=sys.stderr)
    run(corpus, repeat, os.path.join(results, "zbar.tsv"), zbar_read, True)


if __name__ == "__main__":
    main()
