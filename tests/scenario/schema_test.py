#!/usr/bin/env python3
# Verifies that scenarios/schema.json accepts every shipped scenario, rejects known-bad
# documents, and agrees with the parser (`dhcpsim validate`) on a set of documents.
#
# Usage: schema_test.py SOURCE_DIR [DHCPSIM_BINARY]
#
# - Every scenarios/*.json and scenarios/bench/*.json is checked against the schema,
#   except schema.json itself and sweep definitions. Rule: a JSON file whose top level is
#   an object with a "base" key is a sweep definition (a scenario may not have that key),
#   and is skipped here; `dhcpsim sweep` checks its own format.
# - Built-in valid documents (touching every key of the format) must pass the schema;
#   built-in bad documents (unknown key, bare-number duration, bad address, ...) must fail.
# - With DHCPSIM_BINARY, when `DHCPSIM_BINARY validate --help` succeeds, the parser must
#   accept the shipped scenarios and the valid documents, and refuse the bad ones (exit
#   code 2). Without it, that part is skipped (with a note).
#
# Needs Python 3 and the jsonschema module (Debian: python3-jsonschema, in tools/install-deps).
# Exits 0 when everything passed, 1 on any failure (each one is listed).

import copy
import glob
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("schema_test: the Python module 'jsonschema' is missing (Debian: apt-get install "
          "python3-jsonschema, or run tools/install-deps)", file=sys.stderr)
    sys.exit(1)

FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL " + message)


def pointer(path):
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def schema_errors(validator, doc):
    """Schema errors as 'pointer: message' lines, best first."""
    errors = sorted(validator.iter_errors(doc), key=lambda e: (list(e.absolute_path), e.message))
    out = []
    for e in errors:
        # oneOf/anyOf failures: name the deepest specific cause too.
        best = jsonschema.exceptions.best_match([e])
        msg = best.message if best is not None else e.message
        out.append(f"{pointer(best.absolute_path if best is not None else e.absolute_path)}: {msg[:300]}")
    return out


# ---- built-in documents ------------------------------------------------------------------

def base_doc():
    """A small valid scenario every bad document below is derived from."""
    return {
        "name": "t",
        "duration": "1h",
        "segments": [{"name": "lan", "subnet": "10.0.0.0/24"}],
        "routers": [{"name": "gw", "interfaces": [{"name": "eth0", "segment": "lan", "address": "10.0.0.1/24"}]}],
        "dhcp_servers": [{"name": "s", "router": "gw",
                          "subnets": [{"subnet": "10.0.0.0/24", "pools": ["10.0.0.100-10.0.0.199"], "lease": "1h"}]}],
        "hosts": [
            {"name": "pc-{i}", "count": 3, "segment": "lan", "dhcp": True},
            {"name": "printer", "segment": "lan",
             "static": {"address": "10.0.0.5", "mask": "255.255.255.0", "gateway": "10.0.0.1"}},
        ],
        "timeline": [{"at": "10m", "action": "server_stop", "server": "s"}],
    }


def rich_doc():
    """A valid scenario that uses every object and nearly every key of the format."""
    return {
        "$schema": "../schema.json",
        "comment": "every key",
        "name": "rich",
        "description": "two segments, a relay, two servers, static, manual, DHCP, churn, timeline",
        "seed": 18446744073709551615,
        "duration": "2.5h",
        "stop_when": "all_renewed",
        "time_bucket": "30s",
        "delivery": "naive",
        "segments": [
            {"name": "office", "subnet": "192.168.1.0/24", "latency": "100us", "bandwidth": "1Gbps",
             "loss": 0.01, "duplication": 0, "$comment": "x"},
            {"name": "guests", "subnet": "172.16.0.0/22", "latency": "0.5ms", "bandwidth": "54Mbps"},
            {"name": "dc", "latency": "1ms", "bandwidth": "9600bps"},
        ],
        "routers": [{
            "name": "gw",
            "default_route": "10.0.9.254",
            "routes": [{"prefix": "10.50.0.0/16", "via": "10.0.9.253", "comment": "the lab"}],
            "interfaces": [
                {"name": "lan", "segment": "office", "address": "192.168.1.1/24", "mac": "02:aa:00:00:00:01"},
                {"name": "wifi", "segment": "guests", "address": "172.16.0.1/22", "mac": "02-AA-00-00-00-02"},
                {"segment": "dc", "address": "10.0.9.1/24"},
            ],
            "relay": {"servers": ["10.0.9.10"], "interfaces": ["wifi"], "max_hops": 4, "trust_option82": True},
        }],
        "dhcp_servers": [
            {
                "name": "gw-dhcp", "router": "gw", "interfaces": ["lan"], "server_id": "192.168.1.1",
                "authoritative": False, "allocator": "free-list", "offer_hold": "30s",
                "decline_probation": "1h", "ping_check": {"wait": "250ms", "attempts": 2},
                "service_time": {"distribution": "uniform", "min": "1ms", "max": "3ms"},
                "queue": 64, "running_at_start": True,
                "subnets": [{
                    "subnet": "192.168.1.0/24",
                    "pools": ["192.168.1.100-192.168.1.199", {"first": "192.168.1.210", "last": "192.168.1.220"}],
                    "exclusions": ["192.168.1.150", "192.168.1.160-192.168.1.161"],
                    "reservations": [
                        {"mac": "02:00:00:00:00:99", "address": "192.168.1.50"},
                        {"client_id": "01:02:00:00:00:00:98", "address": "192.168.1.51"},
                    ],
                    "mask": "255.255.255.0", "routers": ["192.168.1.1"], "dns": "10.0.9.53",
                    "lease": "1h", "t1": "20m", "t2": "50m",
                }],
            },
            {
                "name": "dc-dhcp", "host": "dhcpd", "ping_check": True,
                "service_time": {"distribution": "exponential", "mean": "2ms"},
                "subnets": [{"subnet": "172.16.0.0/22", "pools": ["172.16.0.10-172.16.3.250"],
                             "router": "172.16.0.1", "dns": ["10.0.9.53", "10.0.9.54"], "lease": "30m"}],
            },
            {
                "name": "rogue", "host": "rogue-box", "running_at_start": False,
                "service_time": "500us",
                "subnets": [{"subnet": "10.99.0.0/24", "pools": ["10.99.0.10-10.99.0.20"]}],
            },
        ],
        "hosts": [
            {"name": "dns", "segment": "dc", "dns_responder": True, "mac": "02:00:00:00:01:01",
             "static": {"address": "10.0.9.53", "mask": "255.255.255.0", "gateway": "10.0.9.1"}},
            {"name": "dhcpd", "segment": "dc", "os": "windows", "acd": True,
             "static": {"address": "10.0.9.10", "mask": "255.255.255.0", "gateway": "10.0.9.1", "dns": "10.0.9.53"}},
            {"name": "ws-{i}", "count": 10, "segment": "office", "inform": True, "dhcp": {"profile": "systemd"},
             "manual": {"range": "192.168.1.20-192.168.1.40", "order": "random", "mask": "255.255.255.0",
                        "gateway": "192.168.1.1", "dns": "10.0.9.53", "typo_probability": 0.1,
                        "typo_fields": {"address": 3, "mask": 1, "gateway": 0, "dns": 0.5},
                        "reuse_probability": 0.05}},
            {"name": "pc-{i}", "count": 20, "segment": "office",
             "dhcp": {"profile": "dhclient", "start_delay": ["0s", "2s"], "probe_on_ack": True,
                      "release_on_leave": True, "link_local_fallback": {"after": "30s", "after_rounds": 2},
                      "offer_window": "1s", "broadcast_flag": True, "client_id": "none", "hostname": "pc-*",
                      "t_fuzz": "1s", "reboot_keep_address": False, "decline_delay": "10s"},
             "boot": {"distribution": "lognormal", "median": "30s", "sigma": 0.5},
             "probes": {"interval": "1m", "jitter": "10s", "timeout": "3s", "first": "10s", "gateway": True,
                        "dns": True, "peers": ["ws-1"], "outside": ["dns"]}},
            {"name": "phone-{i}", "count": 1, "segment": "guests", "dhcp": {"profile": "udhcpc", "start_delay": "0s",
                                                                          "link_local_fallback": True},
             "boot": {"distribution": "normal", "mean": "1m", "sd": "10s"}},
            {"name": "tv", "segment": "guests", "dhcp": {"profile": "dhcpcd"},
             "boot": {"distribution": "fixed", "value": "5m"}},
            {"name": "dark", "segment": "office", "boot": {"distribution": "exponential", "mean": "1m"}},
            {"name": "rogue-box", "segment": "office", "static": {"address": "192.168.1.250", "mask": "255.255.255.0"}},
        ],
        "churn": [
            {"name": "guest-{i}", "segment": "guests", "os": "windows", "arrivals": {"rate": "30/h"},
             "stay": {"distribution": "exponential", "mean": "45m"}, "release_probability": 0.3,
             "patience": "2m", "random_mac": True, "max_arrivals": 5000,
             "dhcp": {"profile": "systemd", "release_on_leave": True},
             "probes": {"interval": "5m", "gateway": True}},
            {"name": "visitor_{i}", "segment": "guests", "population": 200,
             "arrivals": {"daily": True, "profile": [{"from": "0s", "rate": "0/h"}, {"from": "8h", "rate": "2/min"},
                                                     {"from": "18h", "rate": "0.5/m"}, {"from": "1d", "rate": "1/d"}]},
             "stay": "1h", "dhcp": True},
        ],
        "timeline": [
            {"at": "0s", "action": "server_start", "server": "rogue", "comment": "a rogue server appears"},
            {"at": "20m", "action": "server_stop", "server": "rogue", "keep_leases": False},
            {"at": "21m", "action": "server_start", "server": "gw-dhcp", "keep_leases": True},
            {"at": "30m", "action": "link_down", "host": "pc", "fraction": 0.5},
            {"at": "31m", "action": "link_up", "host": "pc"},
            {"at": "32m", "action": "link_down", "router": "gw", "interface": "wifi"},
            {"at": "33m", "action": "link_up", "router": "gw", "interface": "wifi"},
            {"at": "40m", "action": "set_loss", "segment": "office", "value": 0.2},
            {"at": "41m", "action": "set_duplication", "segment": "office", "value": 0},
            {"at": "1h", "action": "reboot", "host": "tv", "downtime": "1m"},
            {"at": "1h", "action": "reboot", "host": "ws", "fraction": 0.25},
            {"at": "2h", "action": "leave", "host": "pc-3", "release": False},
            {"at": "2.5h", "action": "leave", "host": "phone-1"},
        ],
    }


def set_at(doc, path, value):
    d = copy.deepcopy(doc)
    t = d
    for k in path[:-1]:
        t = t[k]
    t[path[-1]] = value
    return d


def delete_at(doc, path):
    d = copy.deepcopy(doc)
    t = d
    for k in path[:-1]:
        t = t[k]
    del t[path[-1]]
    return d


def valid_documents():
    b = base_doc()
    yield "base", b
    yield "rich", rich_doc()
    yield "minimal", {"duration": "1ns", "segments": []}
    yield "duration in days", set_at(b, ["duration"], "366d")
    yield "minutes as min", set_at(b, ["duration"], "90min")
    yield "range as one address", set_at(b, ["dhcp_servers", 0, "subnets", 0, "pools"], ["10.0.0.100"])
    yield "single-host group", set_at(b, ["hosts", 0], {"name": "solo", "segment": "lan", "dhcp": False})
    yield "server on /31", set_at(b, ["routers", 0, "interfaces", 0, "address"], "10.0.0.0/31") | {
        "dhcp_servers": [], "timeline": []}


def bad_documents():
    """(label, document) pairs the schema and the parser must both refuse."""
    b = base_doc()
    yield "unknown top-level key", set_at(b, ["colour"], "blue")
    yield "unknown key in static", set_at(b, ["hosts", 1, "static", "gatway"], "10.0.0.1")
    yield "unknown key in a timeline action", set_at(b, ["timeline", 0, "host"], "printer")
    yield "unknown key in a distribution", set_at(b, ["hosts", 0, "boot"], {"distribution": "fixed", "value": "1s",
                                                                           "mean": "2s"})
    yield "$schema below the top level", set_at(b, ["segments", 0, "$schema"], "x")
    yield "bare-number duration", set_at(b, ["duration"], 3600)
    yield "duration string without unit", set_at(b, ["dhcp_servers", 0, "subnets", 0, "lease"], "3600")
    yield "duration with unknown unit", set_at(b, ["duration"], "1hour")
    yield "negative duration", set_at(b, ["duration"], "-1h")
    yield "duration with exponent", set_at(b, ["duration"], "1e3s")
    yield "missing duration", delete_at(b, ["duration"])
    yield "missing segments", delete_at(b, ["segments"])
    yield "bad address (octet 256)", set_at(b, ["hosts", 1, "static", "address"], "10.0.0.256")
    yield "bad address (leading zero)", set_at(b, ["hosts", 1, "static", "gateway"], "10.0.0.01")
    yield "bad address (three octets)", set_at(b, ["hosts", 1, "static", "mask"], "255.255.255")
    yield "prefix length 33", set_at(b, ["segments", 0, "subnet"], "10.0.0.0/33")
    yield "prefix without length", set_at(b, ["segments", 0, "subnet"], "10.0.0.0")
    yield "interface address without length", set_at(b, ["routers", 0, "interfaces", 0, "address"], "10.0.0.1")
    yield "bad MAC", set_at(b, ["hosts", 1, "mac"], "02:00:00:00:00")
    yield "MAC with mixed separators", set_at(b, ["hosts", 1, "mac"], "02:00-00:00:00:01")
    yield "bandwidth without unit", set_at(b, ["segments", 0, "bandwidth"], "100")
    yield "bandwidth in bytes", set_at(b, ["segments", 0, "bandwidth"], "100MBps")
    yield "probability above 1", set_at(b, ["segments", 0, "loss"], 1.5)
    yield "count 0", set_at(b, ["hosts", 0, "count"], 0)
    yield "count as a string", set_at(b, ["hosts", 0, "count"], "3")
    yield "group without {i}", set_at(b, ["hosts", 0, "name"], "pc")
    yield "static and dhcp", set_at(b, ["hosts", 1, "dhcp"], True)
    yield "static with a count", set_at(b, ["hosts", 1], b["hosts"][1] | {"name": "p{i}", "count": 2})
    yield "inform on a DHCP host", set_at(b, ["hosts", 0, "inform"], True)
    yield "unknown OS", set_at(b, ["hosts", 0, "os"], "macos")
    yield "unknown client profile", set_at(b, ["hosts", 0, "dhcp"], {"profile": "windows"})
    yield "unknown allocator", set_at(b, ["dhcp_servers", 0, "allocator"], "random-walk")
    yield "server on router and host", set_at(b, ["dhcp_servers", 0, "host"], "printer")
    yield "server on nothing", delete_at(b, ["dhcp_servers", 0, "router"])
    yield "server without subnets", delete_at(b, ["dhcp_servers", 0, "subnets"])
    yield "subnet without pools", delete_at(b, ["dhcp_servers", 0, "subnets", 0, "pools"])
    yield "bad range", set_at(b, ["dhcp_servers", 0, "subnets", 0, "pools"], ["10.0.0.100..10.0.0.199"])
    yield "normal service time", set_at(b, ["dhcp_servers", 0, "service_time"],
                                        {"distribution": "normal", "mean": "1ms", "sd": "1ms"})
    yield "unknown distribution", set_at(b, ["hosts", 0, "boot"], {"distribution": "pareto", "mean": "1s"})
    yield "reservation without mac or client_id", set_at(b, ["dhcp_servers", 0, "subnets", 0, "reservations"],
                                                         [{"address": "10.0.0.20"}])
    yield "relay without servers", set_at(b, ["routers", 0, "relay"], {"interfaces": ["eth0"]})
    yield "router without interfaces", set_at(b, ["routers", 0, "interfaces"], [])
    yield "unknown timeline action", set_at(b, ["timeline", 0, "action"], "explode")
    yield "link_down with host and router", set_at(b, ["timeline", 0], {
        "at": "1m", "action": "link_down", "host": "printer", "router": "gw", "interface": "eth0"})
    yield "link_down on a router without interface", set_at(b, ["timeline", 0], {
        "at": "1m", "action": "link_down", "router": "gw"})
    yield "rate without unit", set_at(b, ["churn"], [{"name": "g-{i}", "segment": "lan", "arrivals": {"rate": "30"},
                                                     "stay": "1h"}])
    yield "rate and profile", set_at(b, ["churn"], [{"name": "g-{i}", "segment": "lan", "stay": "1h",
                                                    "arrivals": {"rate": "1/h",
                                                                 "profile": [{"from": "0s", "rate": "1/h"}]}}])
    yield "profile not from 0s", set_at(b, ["churn"], [{"name": "g-{i}", "segment": "lan", "stay": "1h",
                                                       "arrivals": {"profile": [{"from": "1h", "rate": "1/h"}]}}])
    yield "churn name without {i}", set_at(b, ["churn"], [{"name": "g", "segment": "lan", "stay": "1h",
                                                          "arrivals": {"rate": "1/h"}}])
    yield "churn without stay", set_at(b, ["churn"], [{"name": "g-{i}", "segment": "lan",
                                                      "arrivals": {"rate": "1/h"}}])
    yield "typo weights all zero", set_at(b, ["hosts", 0], {
        "name": "m-{i}", "count": 2, "segment": "lan",
        "manual": {"range": "10.0.0.20-10.0.0.30", "mask": "255.255.255.0",
                   "typo_fields": {"address": 0, "mask": 0}}})
    yield "manual without mask", set_at(b, ["hosts", 0], {
        "name": "m-{i}", "count": 2, "segment": "lan", "manual": {"range": "10.0.0.20-10.0.0.30"}})
    yield "seed negative", set_at(b, ["seed"], -1)
    yield "stop_when unknown", set_at(b, ["stop_when"], "all_happy")
    yield "segments not an array", set_at(b, ["segments"], {"name": "lan"})


def schema_only_bad_documents():
    """(label, document) pairs of non-canonical text forms and values a DHCP server would
    refuse at run time: the parser refuses them with a JSON pointer, as the schema does."""
    b = base_doc()
    yield "duration without leading digit", set_at(b, ["duration"], ".5h")
    yield "duration with trailing dot", set_at(b, ["duration"], "5.h")
    yield "start_delay with one element", set_at(b, ["hosts", 0, "dhcp"], {"start_delay": ["1s"]})
    yield "start_delay with three elements", set_at(b, ["hosts", 0, "dhcp"], {"start_delay": ["1s", "2s", "3s"]})
    yield "offer_hold 0s", set_at(b, ["dhcp_servers", 0, "offer_hold"], "0s")
    yield "decline_probation 0s", set_at(b, ["dhcp_servers", 0, "decline_probation"], "0s")
    yield "ping_check wait 0s", set_at(b, ["dhcp_servers", 0, "ping_check"], {"wait": "0s"})
    yield "t1 0s", set_at(b, ["dhcp_servers", 0, "subnets", 0, "t1"], "0s")
    yield "server_id 0.0.0.0", set_at(b, ["dhcp_servers", 0, "server_id"], "0.0.0.0")
    yield "client_id of one byte", set_at(b, ["dhcp_servers", 0, "subnets", 0, "reservations"],
                                          [{"client_id": "01", "address": "10.0.0.20"}])
    yield "client_id not hex", set_at(b, ["dhcp_servers", 0, "subnets", 0, "reservations"],
                                      [{"client_id": "0x0x", "address": "10.0.0.20"}])


# ---- the parser ------------------------------------------------------------------------

def parser_available(binary):
    if not binary:
        print("note: no dhcpsim binary given: schema/parser agreement not checked")
        return False
    if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
        print(f"note: {binary} is not an executable file: schema/parser agreement not checked")
        return False
    try:
        r = subprocess.run([binary, "validate", "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"note: '{binary} validate --help' failed ({e}): schema/parser agreement not checked")
        return False
    if r.returncode != 0:
        print(f"note: '{binary} validate --help' exited {r.returncode}: schema/parser agreement not checked")
        return False
    return True


def parser_validate(binary, path):
    """(exit code, output) of `dhcpsim validate path`."""
    r = subprocess.run([binary, "validate", path], capture_output=True, text=True, timeout=120)
    lines = (r.stdout + r.stderr).strip().splitlines()
    if len(lines) > 12:
        lines = lines[:12] + [f"... ({len(lines) - 12} more lines)"]
    return r.returncode, "\n    ".join(lines)


# ---- main ------------------------------------------------------------------------------

def main(argv):
    if len(argv) < 2 or len(argv) > 3:
        print("usage: schema_test.py SOURCE_DIR [DHCPSIM_BINARY]", file=sys.stderr)
        return 2
    source = argv[1]
    binary = argv[2] if len(argv) == 3 else None
    schema_path = os.path.join(source, "scenarios", "schema.json")
    try:
        with open(schema_path) as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{schema_path}: cannot read the schema: {e}")
        return 1
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        fail(f"{schema_path}: not a valid draft 2020-12 schema: {e.message} at {pointer(e.absolute_path)}")
        return 1
    validator = jsonschema.Draft202012Validator(schema)
    use_parser = parser_available(binary)

    # 1. The shipped scenarios.
    files = sorted(glob.glob(os.path.join(source, "scenarios", "*.json")) +
                   glob.glob(os.path.join(source, "scenarios", "bench", "*.json")))
    checked = 0
    for path in files:
        rel = os.path.relpath(path, source)
        if os.path.basename(path) == "schema.json" and os.path.dirname(path) == os.path.join(source, "scenarios"):
            continue
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            fail(f"{rel}: not valid JSON: {e}")
            continue
        if isinstance(doc, dict) and "base" in doc:
            print(f"skip {rel} (a sweep definition: it has a top-level \"base\" key)")
            continue
        checked += 1
        errs = schema_errors(validator, doc)
        if errs:
            fail(f"{rel}: the schema refuses a shipped scenario:\n    " + "\n    ".join(errs[:10]))
        else:
            print(f"ok   {rel}")
        if use_parser:
            code, out = parser_validate(binary, path)
            if code != 0:
                fail(f"{rel}: dhcpsim validate refuses a shipped scenario (exit {code}):\n    {out}")
    if checked == 0:
        fail("no scenario files found under scenarios/ (expected at least quickstart.json)")

    with tempfile.TemporaryDirectory(prefix="dhcpsim-schema-test-") as tmp:
        def write(label, doc):
            name = "".join(c if c.isalnum() else "-" for c in label) + ".json"
            p = os.path.join(tmp, name)
            with open(p, "w") as f:
                json.dump(doc, f, indent=1)
            return p

        # 2. Valid documents: the schema and the parser accept them.
        for label, doc in valid_documents():
            errs = schema_errors(validator, doc)
            if errs:
                fail(f"valid document '{label}': the schema refuses it:\n    " + "\n    ".join(errs[:10]))
            else:
                print(f"ok   valid document '{label}'")
            if use_parser:
                code, out = parser_validate(binary, write("valid " + label, doc))
                if code != 0:
                    fail(f"valid document '{label}': dhcpsim validate refuses it (exit {code}):\n    {out}")

        # 3. Bad documents: the schema and the parser refuse them.
        for label, doc in bad_documents():
            if validator.is_valid(doc):
                fail(f"bad document '{label}': the schema accepts it")
            else:
                print(f"ok   bad document '{label}' refused")
            if use_parser:
                code, out = parser_validate(binary, write("bad " + label, doc))
                if code != 2:
                    fail(f"bad document '{label}': dhcpsim validate exits {code} (expected 2):\n    {out}")

        # 4. Values only a run would have refused (zero durations, unusable server ids,
        #    non-canonical text): both the schema and the parser must refuse them.
        for label, doc in schema_only_bad_documents():
            if validator.is_valid(doc):
                fail(f"schema-only bad document '{label}': the schema accepts it")
            else:
                print(f"ok   schema-only bad document '{label}' refused")
            if use_parser:
                code, _ = parser_validate(binary, write("gap " + label, doc))
                if code == 0:
                    fail(f"dhcpsim validate accepts '{label}', which the schema refuses")

    if FAILURES:
        print(f"\nschema_test: {len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("\nschema_test: all passed" + ("" if use_parser else " (schema only)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
