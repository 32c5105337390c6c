#pragma once
// Reading and validating scenario files. Every problem is reported with the file, the
// JSON pointer of the bad value and what was expected; nothing runs on a bad scenario.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "dhcpsim/scenario/model.hpp"

namespace dhcpsim::scenario {

using Errors = std::vector<ScenarioError>;

/// Parses and validates a scenario document (`file` only names it in messages).
tl::expected<Scenario, Errors> parse_scenario(const nlohmann::json& doc, const std::string& file);

/// Reads `path` as JSON (errors name the byte offset of a syntax error).
tl::expected<nlohmann::json, Errors> read_json_file(const std::string& path);

/// `--set POINTER=VALUE`: splits at the first '='; VALUE is JSON when it parses as JSON,
/// else a string; it replaces a value or adds a key to an existing object (or appends to
/// an array with "-").
tl::expected<void, ScenarioError> apply_override(nlohmann::json& doc, const std::string& assignment,
                                                 const std::string& file);

/// read_json_file + overrides + parse_scenario.
tl::expected<Scenario, Errors> load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace dhcpsim::scenario
