"""Write small PDFs by hand for loader tests: Chinese text (Adobe STSong-Light, no embedded font), ruled lines,
and optional RC4 password protection (PDF standard security handler, revision 2), with no library needed."""
from __future__ import annotations

import hashlib
import zlib

PAGE_W, PAGE_H = 595, 842
_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


class Ref:
    def __init__(self, n: int):
        self.n = n


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _serialize(value, encrypt) -> bytes:
    if isinstance(value, Ref):
        return f"{value.n} 0 R".encode()
    if isinstance(value, dict):
        return b"<<" + b" ".join(f"/{k} ".encode() + _serialize(v, encrypt) for k, v in value.items()) + b">>"
    if isinstance(value, list):
        return b"[" + b" ".join(_serialize(v, encrypt) for v in value) + b"]"
    if isinstance(value, bytes):                      # a string
        return b"<" + encrypt(value).hex().encode() + b">"
    if isinstance(value, str):                        # a name
        return f"/{value}".encode()
    return str(value).encode()


def _content(ops: list[tuple]) -> bytes:
    """("text", x, top, size, string) and ("line", x0, top0, x1, top1) in top-down page coordinates."""
    out = []
    for op in ops:
        if op[0] == "text":
            _, x, top, size, text = op
            baseline = PAGE_H - top - size * 0.88
            out.append(f"BT /F1 {size} Tf 1 0 0 1 {x:.2f} {baseline:.2f} Tm <{text.encode('utf-16-be').hex()}> Tj ET")
        elif op[0] == "line":
            _, x0, t0, x1, t1 = op
            out.append(f"0.5 w {x0:.2f} {PAGE_H - t0:.2f} m {x1:.2f} {PAGE_H - t1:.2f} l S")
        else:
            raise ValueError(op[0])
    return "\n".join(out).encode()


def make_pdf(pages: list[list[tuple]], *, user_password: str | None = None, info: dict | None = None) -> bytes:
    """A PDF with one page per list of drawing operations (see `_content`). With `user_password`, the file is
    encrypted (RC4, 40-bit) and cannot be opened without it."""
    objects: dict[int, object] = {}
    streams: dict[int, bytes] = {}
    n_pages = len(pages)
    page_refs = [Ref(6 + 2 * i) for i in range(n_pages)]
    objects[1] = {"Type": "Catalog", "Pages": Ref(2)}
    objects[2] = {"Type": "Pages", "Kids": page_refs, "Count": n_pages}
    objects[3] = {"Type": "Font", "Subtype": "Type0", "BaseFont": "STSong-Light", "Encoding": "UniGB-UCS2-H",
                  "DescendantFonts": [Ref(4)]}
    objects[4] = {"Type": "Font", "Subtype": "CIDFontType0", "BaseFont": "STSong-Light",
                  "CIDSystemInfo": {"Registry": b"Adobe", "Ordering": b"GB1", "Supplement": 2},
                  "FontDescriptor": Ref(5), "DW": 1000}
    objects[5] = {"Type": "FontDescriptor", "FontName": "STSong-Light", "Flags": 6,
                  "FontBBox": [-25, -254, 1000, 880], "ItalicAngle": 0, "Ascent": 880, "Descent": -120,
                  "CapHeight": 880, "StemV": 93}
    for i, ops in enumerate(pages):
        page_no, content_no = 6 + 2 * i, 7 + 2 * i
        objects[page_no] = {"Type": "Page", "Parent": Ref(2), "MediaBox": [0, 0, PAGE_W, PAGE_H],
                            "Resources": {"Font": {"F1": Ref(3)}}, "Contents": Ref(content_no)}
        streams[content_no] = zlib.compress(_content(ops))
    next_no = 6 + 2 * n_pages
    info_no = None
    if info:
        info_no = next_no
        objects[info_no] = {k: (b"\xfe\xff" + v.encode("utf-16-be")) for k, v in info.items()}
        next_no += 1
    file_id = hashlib.md5(repr(pages).encode()).digest()
    trailer = {"Size": next_no + (1 if user_password is not None else 0), "Root": Ref(1)}
    if info_no:
        trailer["Info"] = Ref(info_no)
    key = None
    if user_password is not None:
        padded_user = (user_password.encode("latin-1") + _PAD)[:32]
        owner_key = hashlib.md5((b"owner-" + user_password.encode("latin-1") + _PAD)[:32]).digest()[:5]
        o_value = _rc4(owner_key, padded_user)
        permissions = -44
        key = hashlib.md5(padded_user + o_value + permissions.to_bytes(4, "little", signed=True) + file_id).digest()[:5]
        u_value = _rc4(key, _PAD)
        objects[next_no] = {"Filter": "Standard", "V": 1, "R": 2, "O": o_value, "U": u_value, "P": permissions}
        trailer["Encrypt"] = Ref(next_no)
    trailer["ID"] = [file_id, file_id]

    def cipher_for(n: int):
        if key is None or n == trailer.get("Encrypt", Ref(-1)).n:
            return lambda b: b
        object_key = hashlib.md5(key + n.to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
        return lambda b: _rc4(object_key, b)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted({*objects, *streams}):
        offsets[n] = len(out)
        encrypt = cipher_for(n)
        if n in streams:
            data = encrypt(streams[n])
            body = b"<</Length %d /Filter /FlateDecode>>\nstream\n" % len(data) + data + b"\nendstream"
        else:
            body = _serialize(objects[n], encrypt)
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref_at = len(out)
    size = max(offsets) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offsets[n]
    trailer["Size"] = size
    out += b"trailer\n" + _serialize(trailer, lambda b: b) + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def text_lines(x: float, top: float, size: float, lines: list[str], leading: float = 1.75) -> list[tuple]:
    """Text operations for lines placed one under the other."""
    return [("text", x, top + i * size * leading, size, line) for i, line in enumerate(lines)]


def ruled_table(x_edges: list[float], y_edges: list[float], rows: list[list[str]], size: float = 10,
                open_bottom: bool = False, open_top: bool = False) -> list[tuple]:
    """A fully ruled grid with one text per cell (None leaves a cell empty). `open_bottom`/`open_top` leave out
    the closing rule, as when a page break cuts the table."""
    ops: list[tuple] = []
    for i, y in enumerate(y_edges):
        if (i == 0 and open_top) or (i == len(y_edges) - 1 and open_bottom):
            continue
        ops.append(("line", x_edges[0], y, x_edges[-1], y))
    for x in x_edges:
        ops.append(("line", x, y_edges[0], x, y_edges[-1]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                ops.append(("text", x_edges[c] + 3, y_edges[r] + 4, size, text))
    return ops
