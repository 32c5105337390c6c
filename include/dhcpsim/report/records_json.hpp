#pragma once
// Trace records as JSON objects (one per line in events.jsonl): ids resolved to names.

#include <nlohmann/json.hpp>

#include "dhcpsim/net/network.hpp"
#include "dhcpsim/net/records.hpp"

namespace dhcpsim::report {

nlohmann::json record_to_json(const net::Record& record, const net::Network& network);

}  // namespace dhcpsim::report
