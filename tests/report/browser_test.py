#!/usr/bin/env python3
# Verifies the HTML reports in a real browser: makes the reports of the quickstart (with
# a followed host), the campus (relays), a comparison and a sweep with `dhcpsim`, opens
# each in headless Chromium (Debian's chromium, driven over the DevTools protocol with
# Debian's python3-websocket), and checks that
#   - the page loads with no console error, no exception and no error in the browser log,
#     and fetches nothing but itself (it is self-contained);
#   - every chart drew: its canvas is not blank, and it holds and has laid out the number
#     of data points the output files say (rows of timeseries.csv, hosts of the CDF,
#     sweep points), with one error bar per point that has a confidence interval;
#   - the topology SVG has one node per vertex of report-data/topology.dot, and each
#     message ladder one arrow per message sent in report-data/messages.jsonl;
# and saves a full-page screenshot of each into WORK_DIR/screenshots/.
#
# Usage: browser_test.py SOURCE_DIR DHCPSIM_BINARY WORK_DIR
# Needs chromium and python3-websocket (tools/install-deps installs both). Runs as root in
# CI, hence --no-sandbox. Exits 0 when every check passed, 1 otherwise (each failure is
# listed).

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    import websocket
except ImportError:
    # Debian's module lives in the system interpreter; another python3 may come first on PATH.
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and \
            os.path.exists("/usr/bin/python3") and not os.environ.get("DHCPSIM_REEXEC"):
        os.environ["DHCPSIM_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    print("browser_test: the Python module 'websocket' is missing (Debian: python3-websocket, "
          "or run tools/install-deps)", file=sys.stderr)
    sys.exit(1)

FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL " + message, flush=True)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


def run(args, cwd=None):
    r = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        print(r.stdout + r.stderr, file=sys.stderr)
        raise SystemExit("browser_test: %s exited with %d" % (" ".join(args), r.returncode))
    return r.stdout


def csv_rows(path):
    with open(path) as f:
        return sum(1 for line in f if line.strip()) - 1


def jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


# ---- the browser -------------------------------------------------------------------------

class Browser:
    """Headless Chromium with a DevTools websocket to one page."""

    def __init__(self, work):
        self.profile = tempfile.mkdtemp(prefix="dhcpsim-chromium-")
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise SystemExit("browser_test: chromium is not installed (Debian: chromium, or run "
                             "tools/install-deps)")
        self.log = open(os.path.join(work, "chromium.log"), "w")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
             "--user-data-dir=" + self.profile, "--remote-allow-origins=*", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
             "--force-device-scale-factor=1", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        port = None
        while time.time() < deadline:
            if os.path.exists(port_file):
                lines = open(port_file).read().split("\n")
                if len(lines) >= 2 and lines[0].strip() and lines[1].strip():
                    port, path = int(lines[0]), lines[1].strip()
                    break
            if self.proc.poll() is not None:
                raise SystemExit("browser_test: chromium exited (see %s/chromium.log)" % work)
            time.sleep(0.05)
        if port is None:
            self.close()
            raise SystemExit("browser_test: chromium did not open its DevTools port")
        self.port = port
        self.next_id = 0
        self.browser = websocket.create_connection("ws://127.0.0.1:%d%s" % (port, path),
                                                   suppress_origin=True, timeout=60)
        target = self.call(self.browser, "Target.createTarget", {"url": "about:blank"})
        self.page = websocket.create_connection(
            "ws://127.0.0.1:%d/devtools/page/%s" % (port, target["targetId"]),
            suppress_origin=True, timeout=60)
        self.events = []
        for domain in ("Runtime", "Log", "Page", "Network"):
            self.call(self.page, domain + ".enable")
        self.call(self.page, "Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def call(self, ws, method, params=None):
        self.next_id += 1
        ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:
            message = json.loads(ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})
            if "method" in message and ws is self.page:
                self.events.append(message)

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("method") == name for e in self.events):
                return True
            self.page.settimeout(max(0.1, deadline - time.time()))
            try:
                self.events.append(json.loads(self.page.recv()))
            except websocket.WebSocketTimeoutException:
                break
        return False

    def evaluate(self, expression):
        r = self.call(self.page, "Runtime.evaluate",
                      {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate: %s" % json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")

    def open(self, path):
        self.events = []
        url = "file://" + os.path.abspath(path)
        self.call(self.page, "Page.navigate", {"url": url})
        if not self.wait_event("Page.loadEventFired"):
            fail("%s: no load event" % path)
        # Charts are drawn by the page's last script, without animation; wait for its list.
        deadline = time.time() + 20
        while time.time() < deadline and not self.evaluate("!!window.dhcpsimCharts"):
            time.sleep(0.05)
        return url

    def problems(self):
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append("console.%s: %s" % (p["type"], " ".join(
                    str(a.get("value", a.get("description", ""))) for a in p.get("args", []))))
            elif m == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s %s" % (d.get("text", ""),
                                                 d.get("exception", {}).get("description", "")))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out.append("log %s: %s" % (p["entry"]["level"], p["entry"].get("text", "")))
        return out

    def requests(self):
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path):
        metrics = self.call(self.page, "Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = min(int(size["height"]) + 1, 16000)
        shot = self.call(self.page, "Page.captureScreenshot",
                         {"format": "png", "captureBeyondViewport": True,
                          "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
        import base64
        data = base64.b64decode(shot["data"])
        with open(path, "wb") as f:
            f.write(data)
        return len(data)

    def close(self):
        for ws in (getattr(self, "page", None), getattr(self, "browser", None)):
            try:
                if ws is not None:
                    ws.close()
            except Exception:
                pass
        if self.proc.poll() is None:
            # The browser and its helper processes are one process group (start_new_session).
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # any helper left behind
        except (ProcessLookupError, PermissionError):
            pass
        shutil.rmtree(self.profile, ignore_errors=True)
        self.log.close()


# What the page reports about itself, measured in the page (not taken from its data).
INSPECT = r"""
(function () {
  function blank(canvas) {
    var ctx = canvas.getContext('2d');
    var d = ctx.getImageData(0, 0, canvas.width, canvas.height).data, inked = 0;
    for (var i = 3; i < d.length; i += 4) if (d[i] > 0) inked++;
    return inked;
  }
  var canvases = {};
  document.querySelectorAll('canvas').forEach(function (c) {
    canvases[c.id] = {inked: blank(c), width: c.width, height: c.height};
  });
  var topo = document.querySelector('#topology svg');
  var ladders = [];
  document.querySelectorAll('.ladder-box').forEach(function (b) {
    var svg = b.querySelector('svg.ladder');
    var box = svg ? svg.getBBox() : {width: 0, height: 0};
    ladders.push({client: b.getAttribute('data-client'), sent: +b.getAttribute('data-sent'),
                  arrows: b.querySelectorAll('svg.ladder g.msg').length,
                  broadcasts: b.querySelectorAll('svg.ladder g.msg.broadcast').length,
                  lifelines: b.querySelectorAll('svg.ladder g.lifeline').length,
                  width: box.width, height: box.height});
  });
  var tbox = topo ? topo.getBBox() : {width: 0, height: 0};
  return JSON.stringify({
    charts: window.dhcpsimCharts || null,
    canvases: canvases,
    topology: topo ? {nodes: topo.querySelectorAll('g.node').length,
                      edges: topo.querySelectorAll('g.edge').length,
                      width: tbox.width, height: tbox.height} : null,
    ladders: ladders,
    title: document.title,
    chart_version: window.Chart ? Chart.version : null
  });
})()
"""


def check_page(browser, name, path, shots, expect):
    """Opens one report and runs the common checks; `expect(state)` adds the specific ones."""
    t0 = time.time()
    url = browser.open(path)
    state = json.loads(browser.evaluate(INSPECT))
    for p in browser.problems():
        fail("%s: %s" % (name, p))
    for r in browser.requests():
        check(r == url or r.startswith("data:") or r == "about:blank",
              "%s: the page fetched %s" % (name, r))
    check(state["chart_version"] is not None and state["chart_version"].startswith("3."),
          "%s: Chart.js 3 is not loaded (%s)" % (name, state["chart_version"]))
    charts = state["charts"]
    if not check(isinstance(charts, list) and charts, "%s: no charts drawn" % name):
        return state
    for c in charts:
        canvas = state["canvases"].get("chart-" + c["id"])
        if check(canvas is not None, "%s: no canvas for chart %s" % (name, c["id"])):
            check(canvas["width"] > 100 and canvas["height"] > 100,
                  "%s: chart %s canvas is %dx%d" % (name, c["id"], canvas["width"], canvas["height"]))
            check(canvas["inked"] > 2000,
                  "%s: chart %s looks blank (%d pixels drawn)" % (name, c["id"], canvas["inked"]))
        check(c["datasets"], "%s: chart %s has no dataset" % (name, c["id"]))
        check(c["placed"] == c["datasets"],
              "%s: chart %s laid out %s of %s points" % (name, c["id"], c["placed"], c["datasets"]))
    expect(state)
    size = browser.screenshot(os.path.join(shots, name + ".png"))
    check(size > 20000, "%s: screenshot is only %d bytes" % (name, size))
    print("ok %s: %d charts, %d ladders, %.1f s" % (name, len(charts), len(state["ladders"]),
                                                     time.time() - t0), flush=True)
    return state


def by_id(state):
    return {c["id"]: c for c in state["charts"]}


def check_run(name, out, state):
    rows = csv_rows(os.path.join(out, "timeseries.csv"))
    summary = json.load(open(os.path.join(out, "summary.json")))
    run_json = json.load(open(os.path.join(out, "report-data", "run.json")))
    charts = by_id(state)
    for cid in ("clients", "tta", "messages", "conflicts"):
        check(cid in charts, "%s: no chart %s" % (name, cid))
    if summary["servers"]:
        check("leases" in charts, "%s: no leases chart" % name)
        pools = sum(1 for col in open(os.path.join(out, "timeseries.csv")).readline().split(",")
                    if col.startswith("leases:"))
        if "leases" in charts and pools <= 48:  # more are summed per server
            check(len(charts["leases"]["datasets"]) == 2 * pools,
                  "%s: leases chart has %d datasets for %d pools" %
                  (name, len(charts["leases"]["datasets"]), pools))
    for c in state["charts"]:
        if c["kind"] == "timeseries":
            check(all(n == rows for n in c["datasets"]),
                  "%s: chart %s has %s points, timeseries.csv has %d rows" %
                  (name, c["id"], c["datasets"], rows))
    n = summary["hosts"]["time_to_address_s"]["n"]
    if "tta" in charts:
        check(charts["tta"]["datasets"] == [min(n, 1000)],
              "%s: CDF has %s points for %d hosts" % (name, charts["tta"]["datasets"], n))
    # Topology: one SVG node per vertex of the graph the run wrote.
    dot = open(os.path.join(out, "report-data", "topology.dot")).read()
    vertices = len(re.findall(r"^\d+\[label=", dot, re.M))
    edges = len(re.findall(r"^\d+--\d+", dot, re.M))
    topo = state["topology"]
    if check(topo is not None, "%s: no topology SVG" % name):
        check(topo["nodes"] == vertices and topo["edges"] == edges,
              "%s: topology SVG has %d nodes, %d edges; topology.dot %d, %d" %
              (name, topo["nodes"], topo["edges"], vertices, edges))
        check(topo["width"] > 50 and topo["height"] > 20, "%s: topology SVG is empty" % name)
    # Ladders: one per chosen client, one arrow per message it (or a relay or server for
    # it) sent.
    messages = jsonl(os.path.join(out, "report-data", "messages.jsonl"))
    chosen = [c["client"] for c in run_json["chosen"]]
    ladders = {l["client"]: l for l in state["ladders"]}
    check(sorted(ladders) == sorted(chosen), "%s: ladders %s, chosen %s" % (name, sorted(ladders), chosen))
    for client in chosen:
        l = ladders.get(client)
        if l is None:
            continue
        sent = sum(1 for m in messages if m["client"] == client and m["sent"])
        bcast = sum(1 for m in messages if m["client"] == client and m["sent"]
                    and m["dst"] == "255.255.255.255")
        check(l["arrows"] == sent and l["sent"] == sent,
              "%s: ladder of %s has %d arrows, messages.jsonl %d sends" % (name, client, l["arrows"], sent))
        check(l["broadcasts"] == bcast,
              "%s: ladder of %s marks %d broadcasts, messages.jsonl has %d" % (name, client, l["broadcasts"], bcast))
        if sent:
            roles = {(m["node"], m["role"]) for m in messages if m["client"] == client}
            check(l["lifelines"] == len(roles),
                  "%s: ladder of %s has %d lifelines for %d participants" % (name, client, l["lifelines"], len(roles)))
            check(l["width"] > 100 and l["height"] > 40, "%s: ladder of %s is empty" % (name, client))
    return messages


def main():
    if len(sys.argv) != 4:
        print(__doc__ or "usage: browser_test.py SOURCE_DIR DHCPSIM_BINARY WORK_DIR", file=sys.stderr)
        return 2
    source, dhcpsim, work = (os.path.abspath(a) for a in sys.argv[1:4])
    scen = os.path.join(source, "scenarios")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shots = os.path.join(work, "screenshots")
    os.makedirs(shots)
    t0 = time.time()

    # The reports.
    run([dhcpsim, "run", os.path.join(scen, "quickstart.json"), "--out", os.path.join(work, "quickstart"),
         "--report", "--follow", "pc-3", "--quiet"])
    run([dhcpsim, "run", os.path.join(scen, "campus.json"), "--out", os.path.join(work, "campus"),
         "--report", "--quiet"])
    run([dhcpsim, "compare", os.path.join(scen, "office-manual.json"), os.path.join(scen, "office-dhcp.json"),
         "--out", os.path.join(work, "compare"), "--until", "30m", "--report", "--quiet"])
    sweep_file = os.path.join(work, "lease-sweep.json")
    with open(sweep_file, "w") as f:
        json.dump({"base": os.path.join(scen, "guest-wifi-long-lease.json"),
                   "parameters": [{"pointer": "/dhcp_servers/0/subnets/0/lease",
                                   "values": ["15m", "1h", "8h"]}],
                   "replications": 3, "until": "3h"}, f)
    run([dhcpsim, "sweep", sweep_file, "--out", os.path.join(work, "sweep"), "--report", "--quiet",
         "--jobs", "2"])
    print("reports made in %.1f s" % (time.time() - t0), flush=True)

    browser = Browser(work)
    try:
        out = os.path.join(work, "quickstart")
        state = check_page(browser, "quickstart", os.path.join(out, "report.html"), shots,
                           lambda s: check_run("quickstart", out, s))
        check(any(l["client"] == "pc-3" for l in state["ladders"]), "quickstart: no ladder for --follow pc-3")
        check(state["title"] == "dhcpsim report: quickstart, seed 1", "quickstart: title %r" % state["title"])

        out_c = os.path.join(work, "campus")

        def campus(s):
            messages = check_run("campus", out_c, s)
            check(any(m["role"] == "relay" for m in messages), "campus: no relay in the ladders")
            check(any(l["lifelines"] >= 3 for l in s["ladders"]), "campus: no ladder with a relay and a server")
        check_page(browser, "campus", os.path.join(out_c, "report.html"), shots, campus)

        out_cmp = os.path.join(work, "compare")

        def compare(s):
            meta = json.load(open(os.path.join(out_cmp, "report-data", "compare.json")))
            charts = by_id(s)
            bars = [c for c in s["charts"] if c["kind"] == "bars"]
            overlays = [c for c in s["charts"] if c["kind"] == "overlay"]
            check(len(bars) >= 4, "compare: %d bar charts" % len(bars))
            check(len(overlays) == 6, "compare: %d overlaid time series" % len(overlays))
            n = len(meta["variants"])
            rows = [csv_rows(os.path.join(out_cmp, v["dir"], "timeseries.csv")) for v in meta["variants"]]
            for c in bars:
                check(len(c["datasets"]) == n, "compare: chart %s has %d datasets for %d scenarios" %
                      (c["id"], len(c["datasets"]), n))
            for c in overlays:
                check(c["datasets"] == rows, "compare: chart %s has %s points, the time series %s" %
                      (c["id"], c["datasets"], rows))
            check("bars-hosts" in charts and charts["bars-hosts"]["datasets"] == [4, 4],
                  "compare: the hosts bars are not 4 metrics x 2 scenarios")
        check_page(browser, "compare", os.path.join(out_cmp, "report.html"), shots, compare)

        out_s = os.path.join(work, "sweep")

        def sweep(s):
            doc = json.load(open(os.path.join(out_s, "report-data", "sweep.json")))
            points = sum(1 for line in open(os.path.join(out_s, "points.csv")) if line.strip()) - 1
            check(len(s["charts"]) == len(doc["metrics"]), "sweep: %d charts for %d metrics" %
                  (len(s["charts"]), len(doc["metrics"])))
            for c, metric in zip(s["charts"], doc["metrics"]):
                check(c["datasets"] == [points], "sweep: chart %s has %s points, points.csv %d" %
                      (c["id"], c["datasets"], points))
                with_ci = sum(1 for p in doc["points"] if p["values"].get(metric) and
                              p["values"][metric].get("ci95") is not None and
                              p["values"][metric].get("mean") is not None)
                check(with_ci == points, "sweep: %s has %d CIs for %d points" % (metric, with_ci, points))
                check(c["error_bars"] == with_ci, "sweep: chart %s drew %d error bars, %d expected" %
                      (c["id"], c["error_bars"], with_ci))
        check_page(browser, "sweep", os.path.join(out_s, "report.html"), shots, sweep)
    finally:
        browser.close()

    print("browser_test: %d failures, %.1f s; screenshots in %s" % (len(FAILURES), time.time() - t0, shots))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
