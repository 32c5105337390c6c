#include <optional>
#include <ostream>
#include <string>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim/report/report_files.hpp"

namespace dhcpsim::cli {

bool find_report_tools(std::optional<report::ReportTools>& tools, std::ostream& err) {
  auto t = report::find_report_tools();
  if (!t) {
    err << "dhcpsim: " << t.error() << "\n";
    return false;
  }
  tools = *t;
  return true;
}

std::optional<std::string> write_report_with_data(const std::string& dir, const std::string& name,
                                                  const nlohmann::ordered_json& doc,
                                                  const report::ReportTools& tools, std::ostream& err) {
  auto d = report::write_report_data_json(dir, name, doc);
  auto h = d ? report::write_report(dir, tools) : report::WriteResult(tl::unexpected(d.error()));
  if (!h) {
    err << "dhcpsim: the report could not be made: " << h.error() << "\n";
    return std::nullopt;
  }
  return *h;
}

int cmd_report(const ReportOptions& o, std::ostream& out, std::ostream& err) {
  auto tools = report::find_report_tools();
  if (!tools) {
    err << "dhcpsim: " << tools.error() << "\n";
    return kExitUsage;
  }
  auto w = report::write_report(o.dir, *tools);
  if (!w) {
    err << "dhcpsim: " << w.error() << "\n";
    return kExitUsage;
  }
  out << "report: " << *w << "\n";
  return kExitOk;
}

}  // namespace dhcpsim::cli
