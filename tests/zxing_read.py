#!/usr/bin/python3
"""Read a barcode in an image with zxing-cpp (Debian python3-zxing-cpp),
a reader independent of the libdmtx and libzint that sklad draws with.

    zxing_read.py IMAGE FORMAT [LEFT TOP RIGHT BOTTOM]

FORMAT is a zxing-cpp format name (DataMatrix, Code128). The optional box
(fractions 0..1 of the width and height) crops first: zxing-cpp 1.4 finds
a DataMatrix only near the middle of what it is given. Prints one line,
FORMAT SYMBOLOGY_ID TEXT, the text with GS shown as <GS>; exit 0 when a
barcode was read. (read_barcode, not read_barcodes: Debian's 1.4 build
aborts on an assertion when it merges several reads of one linear code.)
"""
import sys

import zxingcpp
from PIL import Image

im = Image.open(sys.argv[1]).convert("L")
if len(sys.argv) == 7:
    l, t, r, b = (float(v) for v in sys.argv[3:7])
    w, h = im.size
    im = im.crop((int(l * w), int(t * h), int(r * w), int(b * h)))
res = zxingcpp.read_barcode(
    im, formats=zxingcpp.barcode_formats_from_str(sys.argv[2]))
if res is None:
    sys.exit(1)
fmt = str(res.format).split(".")[-1]
print(fmt, res.symbology_identifier, res.text.replace("\x1d", "<GS>"))
