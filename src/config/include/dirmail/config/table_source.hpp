#pragma once
// A table the original kept in a file, which dirmail takes either as that file or as a
// TOML list of its lines (smtp.relay_rules_file / smtp.relay_rules, aliases.file /
// aliases.entries, delivery.gateway_table_file / delivery.gateway_table): which one is
// set, and its content. Errors name the setting.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::config {

struct TableSource {
  bool from_file = false;
  std::string name;                // the file's path, or the list setting's name
  std::string text;                // from_file: the file's content
  const std::vector<std::string>* lines = nullptr;  // !from_file: the list setting's entries
};

// nullopt when neither is set; invalid_argument when both are; the file read with
// O_NONBLOCK (a FIFO cannot hang the start) and refused above `max_bytes`.
Result<std::optional<TableSource>> table_source(std::string_view file_setting, const std::string& file,
                                                std::string_view list_setting, const std::vector<std::string>& list,
                                                std::size_t max_bytes);

// Calls `add(line, origin)` for each line of a table file as Windows tools save it
// (a UTF-8 BOM and CR LF line ends are fine; UTF-16 is refused with how to fix it), or
// for each entry of the list form; `origin` is "NAME:LINE" or "NAME[INDEX]" for the
// errors. A file larger than `max_bytes` is refused naming the line where it is cut.
Status for_each_table_line(std::string_view text, std::string_view name, std::size_t max_bytes,
                           const std::function<Status(std::string_view line, std::string origin)>& add);
Status for_each_table_entry(const std::vector<std::string>& entries, std::string_view name,
                            const std::function<Status(std::string_view line, std::string origin)>& add);

}  // namespace dirmail::config
