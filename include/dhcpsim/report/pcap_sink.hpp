#pragma once
// Writes every frame seen on each segment to `<dir>/<segment>.pcap` (nanosecond
// timestamps in virtual time). Segment names are made safe for file names; when two
// segments' names come out alike, the later segment's file is `<name>-<segment index>`.
// Files are written under a temporary name and renamed by finish(), so a run that fails
// leaves no half-written capture behind.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "dhcpsim/net/network.hpp"
#include "dhcpsim/net/records.hpp"
#include "dhcpsim/wire/pcap.hpp"

namespace dhcpsim::report {

class PcapSink : public net::TraceSink {
 public:
  PcapSink(const net::Network& network, std::string directory);
  ~PcapSink() override;

  uint64_t subscriptions() const override { return net::kind_bit(net::RecordKind::kFrameSent); }
  void on_record(const net::Record& r) override;
  /// Closes every file and gives it its final name. Returns the paths written, or an
  /// error (after removing what was written).
  tl::expected<std::vector<std::string>, std::string> finish();
  /// Removes what was written (a failed run).
  void abandon();

 private:
  /// The file name (without ".pcap") of segment `seg`: unique among the segments.
  const std::string& file_name(uint32_t seg);

  const net::Network& network_;
  std::string dir_;
  std::vector<std::string> file_names_;  // by segment id, assigned in segment order
  std::set<std::string> used_names_;
  std::map<uint32_t, wire::PcapWriter> writers_;  // by segment id
  std::map<uint32_t, std::string> paths_;
  std::string error_;
};

/// A file name made from a segment name: letters, digits, '-', '_' and '.' are kept,
/// anything else becomes '_'.
std::string safe_file_name(const std::string& name);

}  // namespace dhcpsim::report
