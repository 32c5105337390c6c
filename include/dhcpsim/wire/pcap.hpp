#pragma once
// pcap files through libpcap: a writer for the simulator's per-segment captures (virtual
// time as nanosecond timestamps, link type Ethernet) and a reader for tests and
// `dhcpsim decode`. Both are RAII and movable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "dhcpsim/wire/bytes.hpp"

// libpcap's handle types, declared here so that users of this header do not get
// <pcap/pcap.h> and its macros.
struct pcap;
struct pcap_dumper;

namespace dhcpsim::wire {

/// LINKTYPE_ETHERNET / DLT_EN10MB (the tcpdump.org link-type registry).
inline constexpr int kLinkTypeEthernet = 1;

class PcapWriter {
 public:
  /// The largest frame written in full (tcpdump's default snapshot length); longer
  /// frames are cut, with their original length recorded.
  static constexpr uint32_t kSnapLen = 262144;

  /// Creates (or truncates) `path` as a nanosecond-resolution pcap file (magic
  /// a1b23c4d) with link type Ethernet. The error is libpcap's text.
  static tl::expected<PcapWriter, std::string> open(const std::string& path);

  PcapWriter(PcapWriter&&) noexcept;
  PcapWriter& operator=(PcapWriter&&) noexcept;
  ~PcapWriter();  // closes, ignoring errors: call close() to see them

  /// Appends one frame. `timestamp_ns` is virtual time since the start of the run (tools
  /// show it as a 1970 date); negative values are written as 0. No-op after close().
  void write(int64_t timestamp_ns, ConstBytes frame);
  /// Flushes and closes the file; reports a write error (disk full...) if there was one.
  tl::expected<void, std::string> close();
  bool is_open() const { return dumper_ != nullptr; }

 private:
  struct PcapCloser {
    void operator()(pcap* p) const noexcept;
  };
  PcapWriter() = default;
  std::unique_ptr<pcap, PcapCloser> handle_;
  pcap_dumper* dumper_ = nullptr;
};

struct PcapRecord {
  int64_t timestamp_ns = 0;
  std::vector<std::byte> data;   // the captured bytes (caplen)
  uint32_t original_length = 0;  // the frame's length on the wire (len)
};

class PcapReader {
 public:
  /// Opens a pcap (or pcapng, as far as libpcap reads it) file; timestamps of
  /// microsecond files are scaled to nanoseconds. The error is libpcap's text.
  static tl::expected<PcapReader, std::string> open(const std::string& path);

  PcapReader(PcapReader&&) noexcept = default;
  PcapReader& operator=(PcapReader&&) noexcept = default;
  ~PcapReader() = default;

  /// The next record, or nullopt at the end of the file or on a read error (then
  /// error() says what went wrong).
  std::optional<PcapRecord> next();
  /// The file's link-layer type (kLinkTypeEthernet for the simulator's and the corpus').
  int link_type() const;
  /// Empty unless next() stopped on a damaged or truncated file.
  const std::string& error() const { return error_; }

 private:
  struct PcapCloser {
    void operator()(pcap* p) const noexcept;
  };
  PcapReader() = default;
  std::unique_ptr<pcap, PcapCloser> handle_;
  std::string error_;
};

}  // namespace dhcpsim::wire
