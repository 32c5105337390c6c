// `dhcpsim decode FILE.pcap [--roundtrip]`: the simulator's own decoder on any capture.
//
// One compact JSON object per frame on `out`, keys in a fixed order:
//   {"frame": n (1-based), "time_ns": capture timestamp, "length": captured bytes
//    [,"original_length": when the capture cut the frame], then either the decoded layers
//    (report::frame_to_json: "eth", "arp" | "ipv4" + "udp" + "dhcp"/"dns" | "icmp", ...)
//    or "error": "<what>", "offset": <byte offset in the frame> [,"unverified": {layers}
//    when only a checksum is wrong: the frame decoded with checksum checks off]
//    [,"roundtrip": true|false [,"roundtrip_offset": first differing byte,
//      "roundtrip_length": re-encoded size when it differs]] (with --roundtrip, for frames
//    that parsed)}
// A summary line goes to `err`. Exit codes: 0 every frame parsed (and re-encoded to the
// same bytes); 2 the file cannot be read as an Ethernet pcap (missing, not pcap, another
// link type, damaged part-way: the frames before the damage are still printed); 4 some
// frame did not parse or round-trip.

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim/report/frame_json.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/pcap.hpp"

namespace dhcpsim::cli {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

void append_layers(ordered_json& line, const wire::DecodedFrame& frame) {
  ordered_json layers = report::frame_to_ordered_json(frame);
  for (auto& [key, value] : layers.items()) line[key] = std::move(value);
}

}  // namespace

int cmd_decode(const DecodeOptions& options, std::ostream& out, std::ostream& err) {
  auto reader = wire::PcapReader::open(options.file);
  if (!reader) {
    err << "dhcpsim decode: cannot read " << options.file << " as pcap: " << reader.error() << "\n";
    return kExitUsage;
  }
  if (reader->link_type() != wire::kLinkTypeEthernet) {
    err << "dhcpsim decode: " << options.file << ": link type " << reader->link_type()
        << " is not Ethernet (1); only Ethernet captures can be decoded\n";
    return kExitUsage;
  }

  uint64_t frames = 0, errors = 0, mismatches = 0;
  while (auto rec = reader->next()) {
    ++frames;
    ordered_json line;
    line["frame"] = frames;
    line["time_ns"] = rec->timestamp_ns;
    line["length"] = rec->data.size();
    if (rec->original_length != rec->data.size()) line["original_length"] = rec->original_length;

    const wire::ConstBytes bytes(rec->data.data(), rec->data.size());
    auto parsed = wire::parse_frame(bytes);
    if (parsed) {
      append_layers(line, *parsed);
      if (options.roundtrip) {
        const auto encoded = wire::encode_frame(*parsed);
        const bool same = encoded == rec->data;
        line["roundtrip"] = same;
        if (!same) {
          ++mismatches;
          const auto diff =
              std::mismatch(encoded.begin(), encoded.end(), rec->data.begin(), rec->data.end());
          line["roundtrip_offset"] = std::size_t(diff.first - encoded.begin());
          if (encoded.size() != rec->data.size()) line["roundtrip_length"] = encoded.size();
        }
      }
    } else {
      ++errors;
      line["error"] = parsed.error().what;
      line["offset"] = parsed.error().offset;
      // A wrong checksum (e.g. a capture taken before checksum offload filled it in) still
      // leaves a readable frame: show it, marked as unverified.
      if (auto loose = wire::parse_frame(bytes, wire::FrameParseOptions{.verify_checksums = false}))
        line["unverified"] = report::frame_to_ordered_json(*loose);
    }
    out << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  out.flush();

  err << "dhcpsim decode: " << frames << " frames, " << errors << " errors";
  if (options.roundtrip) err << ", " << mismatches << " round-trip mismatches";
  err << "\n";
  if (!reader->error().empty()) {
    err << "dhcpsim decode: " << options.file << ": damaged after frame " << frames << ": "
        << reader->error() << "\n";
    return kExitUsage;
  }
  return errors > 0 || mismatches > 0 ? kExitDecodeFailed : kExitOk;
}

}  // namespace dhcpsim::cli
