#include <ostream>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim/report/report_files.hpp"

namespace dhcpsim::cli {

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
