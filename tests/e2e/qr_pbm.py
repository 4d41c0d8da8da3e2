#!/usr/bin/python3
"""qr_pbm.py SIZE PATH > code.pbm: draw the SVG path of a QR code (the
runs cgi-src/lib/qr.c writes: "Mx,yhNv1h-Nz" each) as a plain PBM picture,
8 pixels a module, for zbarimg to read back (t_auth.sh).  Refuses any
other path syntax, so a change in the drawing is noticed."""
import re
import sys

SCALE = 8


def main():
    size = int(sys.argv[1])
    path = sys.argv[2]
    grid = [[0] * size for _ in range(size)]
    pos = 0
    for m in re.finditer(r"M(\d+),(\d+)h(\d+)v1h-(\d+)z", path):
        if m.start() != pos:
            sys.exit("qr_pbm: unexpected path at %d" % pos)
        pos = m.end()
        x, y, w, back = (int(g) for g in m.groups())
        if w != back or x + w > size or y >= size:
            sys.exit("qr_pbm: a run outside the square")
        for i in range(x, x + w):
            grid[y][i] = 1
    if pos != len(path) or pos == 0:
        sys.exit("qr_pbm: unexpected path at %d" % pos)
    out = ["P1", "%d %d" % (size * SCALE, size * SCALE)]
    for row in grid:
        line = " ".join(str(v) for v in row for _ in range(SCALE))
        out.extend([line] * SCALE)
    sys.stdout.write("\n".join(out) + "\n")


main()
