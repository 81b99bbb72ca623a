#!/usr/bin/python3
"""Draw the graphics of a ZPL or TSPL label as a printer would, into a PNG,
so that an independent reader (zxing_read.py) can check the bytes sklad
sends to printers, not only its PNGs.

    label_raster.py LABEL.zpl|LABEL.tspl OUT.png

ZPL: ^PW/^LL give the size; each ^FOx,y^GFA,b,b,w,DATA^FS is drawn, DATA
in ASCII hex with the two shorthands sklad uses: ':' repeats the row
above, ',' fills the rest of the row with white. TSPL: SIZE in mm at the
dots the BITMAPs reach; BITMAP x,y,w,h,0,DATA with 0 bits black. Text is
not drawn (the printer's fonts are not here).
"""
import re
import sys

from PIL import Image

data = open(sys.argv[1], "rb").read()


def zpl():
    w = int(re.search(rb"\^PW(\d+)", data).group(1))
    h = int(re.search(rb"\^LL(\d+)", data).group(1))
    im = Image.new("L", (w, h), 255)
    px = im.load()
    for m in re.finditer(rb"\^FO(\d+),(\d+)\^GFA,(\d+),\d+,(\d+),([^^]*)\^FS",
                         data):
        x0, y0, total, rb = (int(m.group(i)) for i in range(1, 5))
        rows, row, prev = [], "", None
        for c in m.group(5).decode():
            if c in "\r\n":
                continue
            if c == ":":
                rows.append(prev)
            elif c == ",":
                rows.append(row + "0" * (2 * rb - len(row)))
                row = ""
            else:
                row += c
                if len(row) < 2 * rb:
                    continue
                rows.append(row)
                row = ""
            prev = rows[-1]
        assert len(rows) * rb == total, (len(rows), rb, total)
        for y, r in enumerate(rows):
            bits = bin(int(r, 16))[2:].zfill(8 * rb)
            for x, b in enumerate(bits):
                if b == "1":
                    px[x0 + x, y0 + y] = 0
    return im


def tspl():
    items, i = [], 0
    while True:
        m = re.compile(rb"BITMAP (\d+),(\d+),(\d+),(\d+),0,").search(data, i)
        if not m:
            break
        x0, y0, wb, h = (int(m.group(k)) for k in range(1, 5))
        items.append((x0, y0, wb, h, data[m.end():m.end() + wb * h]))
        i = m.end() + wb * h
    w = max(x0 + wb * 8 for x0, _, wb, _, _ in items) + 40
    h = max(y0 + hh for _, y0, _, hh, _ in items) + 40
    im = Image.new("L", (w, h), 255)
    px = im.load()
    for x0, y0, wb, hh, bits in items:
        for y in range(hh):
            for xb in range(wb):
                v = bits[y * wb + xb]
                for k in range(8):
                    if not (v >> (7 - k)) & 1:
                        px[x0 + xb * 8 + k, y0 + y] = 0
    return im


(zpl() if data.startswith(b"^XA") else tspl()).save(sys.argv[2])
