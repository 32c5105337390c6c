#pragma once
// Reading the report's text inputs (CSV, JSON lines) line by line, with line numbers for
// the error messages.

#include <cstddef>
#include <optional>
#include <string_view>

namespace dhcpsim::report {

/// The non-empty lines of a text, in order, each without its '\n'.
class TextLines {
 public:
  explicit TextLines(std::string_view text) : rest_(text) {}

  /// The next non-empty line, or nullopt at the end of the text.
  std::optional<std::string_view> next() {
    while (!rest_.empty()) {
      const std::size_t eol = rest_.find('\n');
      const std::string_view line = rest_.substr(0, eol);
      rest_ = eol == std::string_view::npos ? std::string_view() : rest_.substr(eol + 1);
      ++number_;
      if (!line.empty()) return line;
    }
    return std::nullopt;
  }
  /// 1-based number of the line next() returned last (empty lines counted).
  std::size_t number() const { return number_; }

 private:
  std::string_view rest_;
  std::size_t number_ = 0;
};

}  // namespace dhcpsim::report
