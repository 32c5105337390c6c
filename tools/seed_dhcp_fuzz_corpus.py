#!/usr/bin/env python3
"""Seeds tests/fixtures/fuzz-corpus-dhcp_parser for fuzz_dhcp_parser: one DHCP message per file.

cap-<capture>-<n>: the UDP payload (the BOOTP/DHCP message) of frame n (1-based) of
tests/fixtures/captures/<capture>.pcap, at most MAX_PER_FILE distinct messages per capture.
syn-<name>: hand-made messages for paths the captures do not reach: options in overloaded
file/sname fields (RFC 2132 section 9.3), a long option split in several instances (RFC 3396),
Pad options, a malformed option 82 (RFC 3046), an unknown message type, no End option, a
plain BOOTP message.

Stdlib only. Usage: tools/seed_dhcp_fuzz_corpus.py   (rewrites the directory's cap-/syn- files)
"""
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parents[1]
CAPTURES = ROOT / "tests/fixtures/captures"
CORPUS = ROOT / "tests/fixtures/fuzz-corpus-dhcp_parser"
MAX_PER_FILE = 8
COOKIE = bytes([99, 130, 83, 99])


def frames(path):
    data = path.read_bytes()
    magic = struct.unpack_from("<I", data, 0)[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), f"{path}: not a little-endian pcap"
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack_from("<I", data, pos + 8)[0]
        pos += 16
        yield data[pos:pos + incl]
        pos += incl


def dhcp_payload(frame):
    """The UDP payload of an Ethernet/IPv4/UDP frame to or from port 67/68, else None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0x0F) * 4
    if frame[23] != 17:
        return None
    udp = 14 + ihl
    sport, dport, length = struct.unpack_from(">HHH", frame, udp)
    if not ({sport, dport} & {67, 68}):
        return None
    return frame[udp + 8:udp + length]


def header(op=1, xid=0x3903F326, file=b"", sname=b""):
    h = struct.pack(">BBBBIHH4s4s4s4s16s", op, 1, 6, 0, xid, 0, 0, bytes(4), bytes(4), bytes(4),
                    bytes(4), bytes.fromhex("026601000002") + bytes(10))
    return h + sname.ljust(64, b"\0") + file.ljust(128, b"\0") + COOKIE


def synthetic():
    yield "overload-both", header(
        file=bytes([12, 4]) + b"host" + bytes([255]),
        sname=bytes([15, 4]) + b"test" + bytes([255])) + bytes([53, 1, 1, 52, 1, 3, 255])
    yield "long-option-split", header() + bytes([53, 1, 1, 60, 3]) + b"abc" + bytes([12, 2]) + b"vm" + \
        bytes([60, 3]) + b"def" + bytes([255]) + bytes(20)
    yield "pad-options", header() + bytes([0, 0, 53, 1, 3, 0, 50, 4, 10, 66, 1, 100, 0, 255]) + bytes(40)
    yield "relay-malformed-82", header() + bytes([53, 1, 1, 82, 4, 1, 5, 0x64, 0x6F, 255])
    yield "relay-82-two-subs", header(op=2) + bytes([53, 1, 2, 82, 9, 1, 2, 0x65, 0x30, 2, 3, 1, 2, 3, 255])
    yield "unknown-type", header() + bytes([53, 1, 13, 224, 2, 0xDE, 0xAD, 255])
    yield "no-end", header() + bytes([53, 1, 8, 55, 3, 1, 3, 6])
    yield "bootp", header() + bytes([255]) + bytes(59)


def main():
    CORPUS.mkdir(parents=True, exist_ok=True)
    for old in list(CORPUS.glob("cap-*")) + list(CORPUS.glob("syn-*")):
        old.unlink()
    seen = set()
    for pcap in sorted(CAPTURES.glob("*.pcap")):
        kept = 0
        for n, frame in enumerate(frames(pcap), start=1):
            payload = dhcp_payload(frame)
            if payload is None or payload in seen or kept == MAX_PER_FILE:
                continue
            seen.add(payload)
            kept += 1
            (CORPUS / f"cap-{pcap.stem}-{n}").write_bytes(payload)
    for name, payload in synthetic():
        (CORPUS / f"syn-{name}").write_bytes(payload)
    print(f"{len(list(CORPUS.iterdir()))} files in {CORPUS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
