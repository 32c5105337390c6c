#!/usr/bin/env python3
"""Seeds tests/fixtures/fuzz-corpus for fuzz_frame_parser: one file per frame.

cap-<capture>-<n>: frame n (1-based) of tests/fixtures/captures/<capture>.pcap, at most
MAX_PER_FILE distinct frames per capture (the corpus stays under 200 files).
gold-<name>: the non-DHCP golden frames of tests/wire/golden_test.cpp (ICMP, UDP, DNS),
so the fuzzer starts with every decoder reachable.

Usage: tests/fuzz/seed_frame_corpus.py   (rewrites the directory's cap-/gold- files)
"""
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parents[2]
CAPTURES = ROOT / "tests/fixtures/captures"
CORPUS = ROOT / "tests/fixtures/fuzz-corpus"
MAX_PER_FILE = 10

GOLDEN = {
    "icmp-echo-request": "02005e10000202005e1000010800450000241c4640004001 0a910a0000010a000002"
                         "0800543512340001 6162636465666768",
    "icmp-echo-reply": "02005e10000102005e1000020800450000247a1000004001 ecc60a0000020a000001"
                       "00005c3512340001 6162636465666768",
    "udp-hello": "02005e10000202005e100001080045000021000100004011 66c90a0000010a000002"
                 "9c40270f000de4af 68656c6c6f",
    "dns-query": "02005e10000102005e100002080045000040000200004011 66a90a0000020a000001"
                 "cf080035002c3bd2 beef01000001000000000000 05686f737431076578616d706c6504746573740000010001",
    "dns-response": "02005e10000202005e100001080045000050000300004011 66980a0000010a000002"
                    "0035cf08003cebef beef85800001000100000000 05686f737431076578616d706c6504746573740000010001"
                    "c00c000100010000012c00040a000002",
}


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


def main():
    CORPUS.mkdir(parents=True, exist_ok=True)
    for old in CORPUS.glob("cap-*"):
        old.unlink()
    for old in CORPUS.glob("gold-*"):
        old.unlink()
    seen = set()
    for pcap in sorted(CAPTURES.glob("*.pcap")):
        kept = 0
        for n, frame in enumerate(frames(pcap), start=1):
            if frame in seen or kept == MAX_PER_FILE:
                continue
            seen.add(frame)
            kept += 1
            (CORPUS / f"cap-{pcap.stem}-{n}").write_bytes(frame)
    for name, text in GOLDEN.items():
        (CORPUS / f"gold-{name}").write_bytes(bytes.fromhex(text.replace(" ", "")))
    print(f"{len(list(CORPUS.iterdir()))} files in {CORPUS}")


if __name__ == "__main__":
    main()
