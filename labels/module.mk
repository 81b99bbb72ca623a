# labels/: the logistic label (SSCC as GS1 DataMatrix and GS1-128), its
# printer languages (ZPL II, TSPL) and PNG, decode-back, printers.
# libdmtx, libzint, libpng and FreeType are used here only.
labels-y += labels/symbol.o labels/image.o labels/text.o labels/render.o
labels-y += labels/printer.o labels/config.o
