#include "dhcpsim/cli/app.hpp"

#include <exception>
#include <ostream>

#include <CLI/CLI.hpp>

#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim_version.hpp"

namespace dhcpsim::cli {

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"dhcpsim: a deterministic discrete-event simulator of IPv4 address assignment", "dhcpsim"};
  app.set_version_flag("--version", std::string("dhcpsim ") + kVersion);
  app.require_subcommand(1);

  DecodeOptions decode;
  auto* dec = app.add_subcommand("decode", "Decode every frame of a pcap file as JSON (one object per line)");
  dec->add_option("FILE", decode.file, "pcap file (Ethernet link type)")->required();
  dec->add_flag("--roundtrip", decode.roundtrip, "Also re-encode each frame and compare with the original bytes");

  RunOptions run;
  auto* r = app.add_subcommand("run", "Run a scenario and write its outputs");
  r->add_option("SCENARIO", run.scenario, "scenario file (JSON)")->required();
  r->add_option("--seed", run.seed, "seed (default: the scenario's)");
  r->add_option("--out", run.out_dir, "output directory (default: ./dhcpsim-out/<name>)");
  r->add_option("--until", run.until, "simulated duration, e.g. 10m (default: the scenario's)");
  r->add_option("--set", run.sets, "override a value: POINTER=VALUE (repeatable), e.g. /hosts/0/count=500")
      ->take_all();
  r->add_option("--replications", run.replications, "runs with seeds seed, seed+1, ...; summary with 95% CIs");
  r->add_option("--jobs", run.jobs, "parallel runs (replications)");
  r->add_flag("--pcap", run.pcap, "write pcap/<segment>.pcap");
  r->add_flag("--trace", run.trace, "write events.jsonl (every trace record)");
  r->add_flag("--quiet", run.quiet, "no progress line and no table");
  r->add_flag("--json", run.json, "print summary.json instead of the table");
  r->add_flag("--report", run.report,
              "also write report.html (charts, topology, message ladders; self-contained) and "
              "report-data/, from which `dhcpsim report` rebuilds it");
  r->add_option("--follow", run.follow,
                "draw this host's DHCP message ladder in the report (repeatable; implies --report)")
      ->take_all()
      ->expected(1)
      ->allow_extra_args(false);  // one host per --follow: a scenario after it stays positional

  ValidateOptions validate;
  auto* v = app.add_subcommand("validate", "Check scenario files and print their errors; runs nothing");
  v->add_option("SCENARIO", validate.files, "scenario files")->required();
  v->add_option("--set", validate.sets, "override a value before validating: POINTER=VALUE")->take_all();

  CompareOptions compare;
  auto* c = app.add_subcommand("compare", "Run scenarios with the same seed(s) and compare their key metrics");
  c->add_option("SCENARIO", compare.scenarios, "two or more scenario files")->required();
  c->add_option("--seed", compare.seed, "seed for every scenario (default: the first scenario's)");
  c->add_option("--replications", compare.replications, "runs per scenario (seeds seed, seed+1, ...)");
  c->add_option("--jobs", compare.jobs, "parallel runs");
  c->add_option("--out", compare.out_dir, "output directory (default: ./dhcpsim-out/compare-<a>-vs-<b>)");
  c->add_option("--until", compare.until, "simulated duration for every scenario");
  c->add_flag("--quiet", compare.quiet, "no table");
  c->add_flag("--json", compare.json, "print the compared summaries as JSON");
  c->add_flag("--report", compare.report,
              "also write report.html: key metrics as bars, time series overlaid");

  SweepOptions sweep;
  auto* sw = app.add_subcommand("sweep", "Run a grid of parameter values with replications (CSV with 95% CIs)");
  sw->add_option("SWEEP", sweep.file, "sweep file (JSON: base, parameters, replications)")->required();
  sw->add_option("--jobs", sweep.jobs, "parallel runs");
  sw->add_option("--out", sweep.out_dir, "output directory (default: ./dhcpsim-out/sweep-<name>)");
  sw->add_flag("--quiet", sweep.quiet, "no table");
  sw->add_flag(
      "--report", sweep.report,
      "also write report.html: each metric against the swept parameter, 95% CIs as error bars");

  ReportOptions rep;
  auto* rp = app.add_subcommand(
      "report", "Rebuild OUT_DIR/report.html from what run/compare/sweep --report kept in OUT_DIR");
  rp->add_option("OUT_DIR", rep.dir, "an output directory of run, compare or sweep with --report")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << "dhcpsim " << kVersion << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // CLI11 numbers its own errors from 100 up; for us every usage error is exit 2.
    err << "dhcpsim: " << e.what() << "\n";
    if (!app.get_subcommands().empty()) err << "Run with --help for usage.\n";
    return kExitUsage;
  }

  try {
    if (dec->parsed()) return cmd_decode(decode, out, err);
    if (r->parsed()) return cmd_run(run, out, err);
    if (v->parsed()) return cmd_validate(validate, out, err);
    if (c->parsed()) return cmd_compare(compare, out, err);
    if (sw->parsed()) return cmd_sweep(sweep, out, err);
    if (rp->parsed()) return cmd_report(rep, out, err);
  } catch (const std::exception& e) {
    err << "dhcpsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitUsage;
}

}  // namespace dhcpsim::cli
